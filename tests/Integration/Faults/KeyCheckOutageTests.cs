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

    private Task<HttpResponseMessage> ReadAsync(string code, string key) =>
        fault.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/access-codes/{code}").WithKey(key));
}
