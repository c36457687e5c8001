using System.Security.Cryptography;

namespace Capacity.IntegrationTests.Fixtures;

/// <summary>The card signing key every API the tests start uses: one EC P-256 key per test run, never written to disk.</summary>
public static class TestCardKey
{
    public const string KeyId = "test-1";

    public static readonly string Pem = CreatePem();

    private static string CreatePem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem();
    }
}
