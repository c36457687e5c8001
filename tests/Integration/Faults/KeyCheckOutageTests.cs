using System.Net;
using Capacity.Application.Clients;
using Capacity.Domain.Clients;
using Capacity.IntegrationTests.Clients;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Faults;

/// <summary>
/// PostgreSQL of the fault instance stops: a key checked before the outage keeps working (its cached check is served,
/// stale once past its 30 s, by fail-safe), a key never checked cannot be verified and gets 503, never a 403 or a 500.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class KeyCheckOutageTests(FaultFixture fault) : IAsyncLifetime
{
    public Task InitializeAsync() => fault.WaitUntilServingAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_key_checked_before_the_outage_keeps_working_and_an_unchecked_one_gets_503()
    {
        var code = await AccessCodes.AccessCodeApi.CreateCodeAsync(fault, maxUsageCount: 10);
        var known = await fault.CreateClientAsync(ClientScopes.CodesClaim);
        var unseen = await fault.CreateClientAsync(ClientScopes.CodesClaim);
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(code, known.Key)).StatusCode);

        await using (var outage = await fault.StopAsync(FaultService.Postgres))
        {
            Assert.Equal(HttpStatusCode.OK, (await ReadAsync(code, known.Key)).StatusCode);

            // Past its fresh duration the check must be refreshed; the refresh fails and fail-safe serves the last one.
            await fault.Cache.ExpireAsync(ClientCache.KeyEntry(known.Key[..ApiKeys.PrefixLength]));
            Assert.Equal(HttpStatusCode.OK, (await ReadAsync(code, known.Key)).StatusCode);

            var refused = await ReadAsync(code, unseen.Key);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            await outage.EndAsync();
        }

        await Poll.UntilAsync(() => ReadAsync(code, unseen.Key), r => r.StatusCode == HttpStatusCode.OK, "the unseen key to work once PostgreSQL is back");
    }

    [Fact]
    public async Task A_key_revoked_before_the_outage_is_never_accepted_during_it()
    {
        var code = await AccessCodes.AccessCodeApi.CreateCodeAsync(fault, maxUsageCount: 10);
        var client = await fault.CreateClientAsync(ClientScopes.CodesClaim);
        Assert.Equal(HttpStatusCode.OK, (await ReadAsync(code, client.Key)).StatusCode);
        await fault.RevokeKeyAsync(client.Id, client.KeyId);
        Assert.Equal(HttpStatusCode.Forbidden, (await ReadAsync(code, client.Key)).StatusCode);

        await using (var outage = await fault.StopAsync(FaultService.Postgres))
        {
            // The cached row was removed, not expired: fail-safe has nothing to serve, so the key cannot pass.
            await fault.Cache.ExpireAsync(ClientCache.KeyEntry(client.Key[..ApiKeys.PrefixLength]));
            await Task.Delay(ApiKeyAuthenticator.LocalDuration);
            for (var i = 0; i < 5; i++)
            {
                Assert.Contains((await ReadAsync(code, client.Key)).StatusCode, new[] { HttpStatusCode.Forbidden, HttpStatusCode.ServiceUnavailable });
            }

            await outage.EndAsync();
        }
    }

    private Task<HttpResponseMessage> ReadAsync(string code, string key) =>
        fault.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/access-codes/{code}").WithKey(key));
}
