using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Capacity.Application.Members;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Capacity.Infrastructure.Members;

/// <summary>
/// <see cref="ICardSigner"/> over ECDSA P-256 (the base library): payloads are compact JWS with ES256 (RFC 7515/7518),
/// so any JOSE library verifies them with the published JWK set, and the signature is the raw r||s the JWS format wants.
/// </summary>
internal sealed class EcdsaCardSigner : ICardSigner, IDisposable
{
    private readonly List<(string KeyId, ECDsa Key, bool CanSign)> _keys = [];
    private readonly ECDsa _active;
    private readonly string _header;
    private readonly Lock _signing = new();

    public EcdsaCardSigner(IOptions<CardOptions> options, IHostEnvironment environment)
    {
        var settings = options.Value;
        foreach (var key in settings.SigningKeys)
        {
            _keys.Add((key.KeyId, Load(key, environment), key.PrivateKeyPem is not null || key.PrivateKeyFile is not null));
        }

        if (_keys.Count == 0)
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException(
                    "No card signing key: set Cards__SigningKeys__0__KeyId and Cards__SigningKeys__0__PrivateKeyPem (or ...__PrivateKeyFile), " +
                    "an EC P-256 private key in PEM (e.g. openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt).");
            }

            _keys.Add(("dev-1", DevelopmentKey(Path.Combine(environment.ContentRootPath, settings.DevelopmentKeyFile)), true));
        }

        var active = settings.ActiveKeyId is { } id
            ? _keys.FirstOrDefault(k => k.KeyId == id)
            : _keys.FirstOrDefault(k => k.CanSign);
        if (active.Key is null || !active.CanSign)
        {
            throw new InvalidOperationException($"Cards:ActiveKeyId '{settings.ActiveKeyId}' names no configured key with a private part.");
        }

        _active = active.Key;
        _header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"ES256","typ":"JWT","kid":"{{active.KeyId}}"}"""));
        PublicKeys = new CardKeySet([.. _keys.Select(k => Jwk(k.KeyId, k.Key))]);
    }

    public CardKeySet PublicKeys { get; }

    public string Sign(CardClaims claims)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Payload(
            claims.MemberId, claims.MembershipNumber, claims.Status, claims.ValidTo.ToUnixTimeSeconds(), claims.IssuedAt.ToUnixTimeSeconds()));
        var signingInput = _header + "." + Base64Url.EncodeToString(payload);
        byte[] signature;
        lock (_signing)
        {
            signature = _active.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    public void Dispose() => _keys.ForEach(k => k.Key.Dispose());

    private static ECDsa Load(CardSigningKey key, IHostEnvironment environment)
    {
        var pem = key.PrivateKeyPem
            ?? (key.PrivateKeyFile is { } file ? File.ReadAllText(Path.IsPathRooted(file) ? file : Path.Combine(environment.ContentRootPath, file)) : null)
            ?? key.PublicKeyPem
            ?? throw new InvalidOperationException($"Card key '{key.KeyId}' has no PrivateKeyPem, PrivateKeyFile or PublicKeyPem.");
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
        }
        catch (ArgumentException e)
        {
            ecdsa.Dispose();
            throw new InvalidOperationException($"Card key '{key.KeyId}' is not a PEM EC key: {e.Message}", e);
        }

        if (ecdsa.KeySize != 256 || ecdsa.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            ecdsa.Dispose();
            throw new InvalidOperationException($"Card key '{key.KeyId}' is not on the P-256 curve (ES256 needs P-256).");
        }

        return ecdsa;
    }

    private static ECDsa DevelopmentKey(string path)
    {
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(path))
        {
            ecdsa.ImportFromPem(File.ReadAllText(path));
            return ecdsa;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temporary, ecdsa.ExportPkcs8PrivateKeyPem());
        try
        {
            // Two instances starting at once: the first file wins and both use it.
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException)
        {
            File.Delete(temporary);
            ecdsa.ImportFromPem(File.ReadAllText(path));
        }

        return ecdsa;
    }

    private static CardKey Jwk(string keyId, ECDsa key)
    {
        var p = key.ExportParameters(false);
        return new CardKey("EC", "P-256", Base64Url.EncodeToString(p.Q.X!), Base64Url.EncodeToString(p.Q.Y!), keyId, "sig", "ES256");
    }

    private sealed record Payload(
        [property: System.Text.Json.Serialization.JsonPropertyName("sub")] Guid Sub,
        [property: System.Text.Json.Serialization.JsonPropertyName("mno")] string Mno,
        [property: System.Text.Json.Serialization.JsonPropertyName("sts")] string Sts,
        [property: System.Text.Json.Serialization.JsonPropertyName("exp")] long Exp,
        [property: System.Text.Json.Serialization.JsonPropertyName("iat")] long Iat);
}
