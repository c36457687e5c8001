using System.Diagnostics;
using System.Net;
using Capacity.Domain.Clients;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Clients;

/// <summary>
/// A revoked key stops working on another instance (its own process, same database and Redis) within 2 s, although
/// that instance had the key's check cached for 30 s: the revocation's tag reaches it through the backplane.
/// </summary>
public sealed class KeyRevocationAcrossInstancesTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    [Fact]
    public async Task A_key_revoked_on_one_instance_is_refused_by_the_other_within_2_seconds()
    {
        Assert.NotNull(api.RedisConnectionString);
        await using var second = await api.StartSecondInstanceAsync();
        var client = await api.CreateClientAsync(ClientScopes.Admin);
        var (_, spare) = await api.IssueKeyAsync(client.Id);

        // Both instances have checked (and cached) the key.
        Assert.Equal(HttpStatusCode.OK, (await ListAsync(second.Client, client.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ListAsync(api.Client, client.Key)).StatusCode);

        var clock = Stopwatch.StartNew();
        await api.RevokeKeyAsync(client.Id, client.KeyId);
        HttpStatusCode status;
        do
        {
            status = (await ListAsync(second.Client, client.Key)).StatusCode;
            if (status == HttpStatusCode.OK)
            {
                await Task.Delay(20);
            }
        }
        while (status == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the second instance refused the key after {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(HttpStatusCode.Forbidden, (await ListAsync(api.Client, client.Key)).StatusCode);

        // The client's other key works on both.
        Assert.Equal(HttpStatusCode.OK, (await ListAsync(second.Client, spare)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ListAsync(api.Client, spare)).StatusCode);
    }

    private static Task<HttpResponseMessage> ListAsync(HttpClient http, string key) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/admin/clients?limit=1").WithKey(key));
}
