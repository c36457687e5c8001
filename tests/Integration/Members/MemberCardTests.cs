using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;
using StbImageSharp;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace Capacity.IntegrationTests.Members;

/// <summary>
/// Cards: the data, a payload a scanner verifies offline with the published key (and refuses when one byte changes),
/// the QR image that decodes back to the same payload, and refreshed cards after an update.
/// </summary>
public sealed class MemberCardTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>, IAsyncLifetime
{
    private HttpClient _reader = null!;

    public async Task InitializeAsync() => _reader = await api.ReaderClientAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_card_carries_the_member_and_a_payload_that_verifies_with_the_published_key()
    {
        var member = await api.CreateMemberAsync(new { firstName = "Ayanda", surname = "Zulu" });
        var memberId = member.GetProperty("memberId").GetGuid();

        var card = await CardAsync(memberId);

        Assert.Equal(memberId, card.GetProperty("memberId").GetGuid());
        Assert.Equal(member.GetProperty("membershipNumber").GetString(), card.GetProperty("membershipNumber").GetString());
        Assert.Equal("Ayanda Zulu", card.GetProperty("fullName").GetString());
        Assert.Equal("active", card.GetProperty("status").GetString());
        Assert.Equal(member.GetProperty("joinedAt").GetDateTimeOffset(), card.GetProperty("validFrom").GetDateTimeOffset());
        Assert.Equal(member.GetProperty("expiresAt").GetDateTimeOffset(), card.GetProperty("validTo").GetDateTimeOffset());

        var payload = card.GetProperty("qrPayload").GetString()!;
        var keys = JsonDocument.Parse(await api.CreateClient().GetStringAsync("/api/members/card-keys")).RootElement;
        var claims = Verify(payload, keys);
        Assert.Equal(memberId, claims.GetProperty("sub").GetGuid());
        Assert.Equal(member.GetProperty("membershipNumber").GetString(), claims.GetProperty("mno").GetString());
        Assert.Equal("active", claims.GetProperty("sts").GetString());
        Assert.Equal(member.GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeSeconds(), claims.GetProperty("exp").GetInt64());
        Assert.InRange(claims.GetProperty("iat").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
    }

    [Fact]
    public async Task Changing_any_one_byte_of_the_payload_breaks_the_signature()
    {
        var memberId = (await api.CreateMemberAsync()).GetProperty("memberId").GetGuid();
        var payload = (await CardAsync(memberId)).GetProperty("qrPayload").GetString()!;
        var keys = JsonDocument.Parse(await api.CreateClient().GetStringAsync("/api/members/card-keys")).RootElement;
        var parts = payload.Split('.');
        var body = Base64Url.DecodeFromChars(parts[1]);

        for (var i = 0; i < body.Length; i++)
        {
            var tampered = (byte[])body.Clone();
            tampered[i] ^= 0x01;
            var forged = $"{parts[0]}.{Base64Url.EncodeToString(tampered)}.{parts[2]}";
            Assert.False(SignatureHolds(forged, keys), $"byte {i} changed and the signature still held");
        }

        Assert.True(SignatureHolds(payload, keys));
    }

    [Fact]
    public async Task The_key_set_is_public_EC_P256_and_names_the_signing_key()
    {
        var keys = JsonDocument.Parse(await api.CreateClient().GetStringAsync("/api/members/card-keys")).RootElement.GetProperty("keys");

        var key = Assert.Single(keys.EnumerateArray());
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.Equal("P-256", key.GetProperty("crv").GetString());
        Assert.Equal("ES256", key.GetProperty("alg").GetString());
        Assert.Equal(TestCardKey.KeyId, key.GetProperty("kid").GetString());
        Assert.False(key.TryGetProperty("d", out _));
    }

    [Fact]
    public async Task The_png_decodes_to_the_cards_payload()
    {
        var memberId = (await api.CreateMemberAsync()).GetProperty("memberId").GetGuid();
        var payload = (await CardAsync(memberId)).GetProperty("qrPayload").GetString();

        var response = await _reader.GetAsync($"/api/members/{memberId}/card.png");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(payload, Decode(await response.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task An_update_refreshes_the_card_and_its_image()
    {
        var memberId = (await api.CreateMemberAsync()).GetProperty("memberId").GetGuid();
        await CardAsync(memberId);
        await _reader.GetByteArrayAsync($"/api/members/{memberId}/card.png");

        var update = await api.AdminClient.PutAsJsonAsync($"/api/admin/members/{memberId}", new
        {
            firstName = "Lindiwe", surname = "Dube", status = "suspended", expiresAt = DateTimeOffset.UtcNow.AddYears(1),
        });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);

        var card = await CardAsync(memberId);
        var keys = JsonDocument.Parse(await api.CreateClient().GetStringAsync("/api/members/card-keys")).RootElement;
        Assert.Equal("suspended", card.GetProperty("status").GetString());
        Assert.Equal("suspended", Verify(card.GetProperty("qrPayload").GetString()!, keys).GetProperty("sts").GetString());
        Assert.Equal(card.GetProperty("qrPayload").GetString(), Decode(await _reader.GetByteArrayAsync($"/api/members/{memberId}/card.png")));
    }

    [Fact]
    public async Task Cards_of_unknown_members_are_404_and_need_members_read()
    {
        var unknown = Guid.CreateVersion7();
        await Problems.AssertAsync(await _reader.PostAsync($"/api/members/{unknown}/card", null), HttpStatusCode.NotFound, "member-not-found");
        await Problems.AssertAsync(await _reader.GetAsync($"/api/members/{unknown}/card.png"), HttpStatusCode.NotFound, "member-not-found");
        await Problems.AssertAsync(await api.CreateClient().PostAsync($"/api/members/{unknown}/card", null), HttpStatusCode.Unauthorized, "api-key-missing");
    }

    [Fact]
    public async Task A_batch_answers_every_card_it_can_and_lists_the_rest_as_failures()
    {
        var first = (await api.CreateMemberAsync()).GetProperty("memberId").GetGuid();
        var second = (await api.CreateMemberAsync()).GetProperty("memberId").GetGuid();
        var unknown = Guid.CreateVersion7();
        var single = (await CardAsync(first)).GetProperty("qrPayload").GetString();

        var response = await _reader.PostAsJsonAsync("/api/members/cards/batch", new { memberIds = new[] { first, unknown, second, first }, concurrency = 2 });

        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([first, second], body.GetProperty("cards").EnumerateArray().Select(c => c.GetProperty("memberId").GetGuid()));
        Assert.Equal(single, body.GetProperty("cards")[0].GetProperty("qrPayload").GetString());
        var failure = Assert.Single(body.GetProperty("failures").EnumerateArray());
        Assert.Equal(unknown, failure.GetProperty("memberId").GetGuid());
        Assert.Equal("member-not-found", failure.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(101, 5)]
    [InlineData(2, 0)]
    [InlineData(2, 21)]
    public async Task A_batch_outside_1_to_100_members_or_a_concurrency_outside_1_to_20_is_400(int members, int concurrency)
    {
        var memberIds = Enumerable.Range(0, members).Select(_ => Guid.CreateVersion7()).ToArray();

        await Problems.AssertAsync(
            await _reader.PostAsJsonAsync("/api/members/cards/batch", new { memberIds, concurrency }), HttpStatusCode.BadRequest, "validation");
    }

    private async Task<JsonElement> CardAsync(Guid memberId)
    {
        var response = await _reader.PostAsync($"/api/members/{memberId}/card", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement;
    }

    /// <summary>What a scanner does offline: find the key by the header's kid, check ES256 over header.payload, read the claims.</summary>
    private static JsonElement Verify(string payload, JsonElement keys)
    {
        Assert.True(SignatureHolds(payload, keys), "the signature does not verify");
        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(payload.Split('.')[0])).RootElement;
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        return JsonDocument.Parse(Base64Url.DecodeFromChars(payload.Split('.')[1])).RootElement;
    }

    private static bool SignatureHolds(string payload, JsonElement keys)
    {
        var parts = payload.Split('.');
        if (parts.Length != 3)
        {
            return false;
        }

        var kid = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement.GetProperty("kid").GetString();
        var jwk = keys.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == kid);
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars(jwk.GetProperty("x").GetString()), Y = Base64Url.DecodeFromChars(jwk.GetProperty("y").GetString()) },
        });
        return key.VerifyData(
            Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Reads the PNG with a managed decoder and hands its pixels to ZXing's QR reader.</summary>
    private static string? Decode(byte[] png)
    {
        var image = ImageResult.FromMemory(png, ColorComponents.RedGreenBlueAlpha);
        var source = new RGBLuminanceSource(image.Data, image.Width, image.Height, RGBLuminanceSource.BitmapFormat.RGBA32);
        // A generated image is a pure barcode (no perspective, a clean quiet zone): ZXing reads it as one.
        var hints = new Dictionary<DecodeHintType, object> { [DecodeHintType.PURE_BARCODE] = true, [DecodeHintType.TRY_HARDER] = true };
        var result = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source)), hints);
        return result?.Text;
    }
}
