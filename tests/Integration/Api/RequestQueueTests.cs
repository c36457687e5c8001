using System.Net;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;
using Capacity.WebApi.RequestQueue;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Capacity.IntegrationTests.Api;

/// <summary>
/// The API with a small request queue (2 at once, 3 waiting, 2 s) and a probe route that holds each request until the
/// test releases it, counting how many ran and how many at once.
/// </summary>
public sealed class SmallQueueApiFactory : CapacityApiFactory
{
    private TaskCompletionSource _release = CompletedRelease();
    private int _running;
    private int _peak;
    private int _started;

    public int Running => Volatile.Read(ref _running);

    public int Peak => Volatile.Read(ref _peak);

    public int Started => Volatile.Read(ref _started);

    public RequestGate Gate => Services.GetRequiredService<RequestGate>();

    private static TaskCompletionSource CompletedRelease()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        release.SetResult();
        return release;
    }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RequestQueue:MaxConcurrent"] = "2",
        ["RequestQueue:MaxQueued"] = "3",
        ["RequestQueue:QueueTimeout"] = "00:00:02",
        ["RequestQueue:RetryAfterSeconds"] = "2",
    };

    /// <summary>Probe requests from now on wait until <see cref="ReleaseAll"/>; the counts start again.</summary>
    public void HoldFromNow()
    {
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _started = 0;
        _peak = 0;
    }

    /// <summary>Every held probe request finishes, and later ones do not wait.</summary>
    public void ReleaseAll() => _release.TrySetResult();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new SlowProbe(this)));
    }

    private async Task<IResult> HoldAsync()
    {
        Interlocked.Increment(ref _started);
        var now = Interlocked.Increment(ref _running);
        int seen;
        while ((seen = _peak) < now && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
        {
        }

        try
        {
            await _release.Task;
            return Results.Ok();
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    /// <summary>Mapped after the API's pipeline: the probe's requests pass through the request queue like any API route.</summary>
    private sealed class SlowProbe(SmallQueueApiFactory factory) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.UseRouting();
            app.UseEndpoints(endpoints => endpoints.MapGet("/probe/slow", () => factory.HoldAsync()));
        };
    }
}

/// <summary>The request queue's exact accounting, its wait bound, and what bypasses it.</summary>
public sealed class RequestQueueTests(SmallQueueApiFactory api) : IClassFixture<SmallQueueApiFactory>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        // The host starts (and migrates its database) on its first request: not inside a measured wait.
        Assert.Equal(HttpStatusCode.OK, (await api.Client.GetAsync("/health/live")).StatusCode);
        api.HoldFromNow();
    }

    public Task DisposeAsync()
    {
        api.ReleaseAll();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Two_run_three_wait_in_order_and_the_other_five_are_503_at_once()
    {
        var requests = Enumerable.Range(0, 10).Select(_ => api.Client.GetAsync("/probe/slow")).ToList();

        await WaitUntilAsync(() => api.Running == 2 && api.Gate.Queued == 3 && requests.Count(r => r.IsCompleted) == 5);
        var refused = requests.Where(r => r.IsCompleted).Select(r => r.Result).ToList();
        foreach (var response in refused)
        {
            var problem = await Problems.AssertAsync(response, HttpStatusCode.ServiceUnavailable, "server-busy");
            Assert.Equal("full", problem.GetProperty("reason").GetString());
            Assert.Equal("2", response.Headers.GetValues("Retry-After").Single());
        }

        Assert.Equal(2, api.Started);
        Assert.Equal(2, api.Gate.InFlight);
        api.ReleaseAll();
        var answers = await Task.WhenAll(requests);

        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.ServiceUnavailable));
        Assert.Equal(2, api.Peak);
        Assert.Equal(5, api.Started);
        await WaitUntilAsync(() => api.Gate.InFlight == 0 && api.Gate.Queued == 0);
    }

    [Fact]
    public async Task A_request_that_waits_past_the_timeout_is_503_then_and_never_runs()
    {
        var running = Enumerable.Range(0, 2).Select(_ => api.Client.GetAsync("/probe/slow")).ToList();
        await WaitUntilAsync(() => api.Running == 2);
        var started = DateTimeOffset.UtcNow;

        var waiting = await api.Client.GetAsync("/probe/slow");

        var waited = DateTimeOffset.UtcNow - started;
        var problem = await Problems.AssertAsync(waiting, HttpStatusCode.ServiceUnavailable, "server-busy");
        Assert.Equal("timeout", problem.GetProperty("reason").GetString());
        Assert.InRange(waited.TotalSeconds, 1.9, 4);
        Assert.Equal(2, api.Started);
        api.ReleaseAll();
        Assert.All(await Task.WhenAll(running), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    [Fact]
    public async Task Health_metrics_and_admin_routes_answer_while_the_queue_is_full_and_show_its_counts()
    {
        var held = Enumerable.Range(0, 5).Select(_ => api.Client.GetAsync("/probe/slow")).ToList();
        await WaitUntilAsync(() => api.Running == 2 && api.Gate.Queued == 3);

        var health = await api.Client.GetAsync("/health");
        var ready = await api.Client.GetAsync("/health/ready");
        var metrics = await api.Client.GetStringAsync("/metrics");
        var admin = await api.AdminClient.GetAsync("/api/admin/clients");
        await Problems.AssertAsync(await api.Client.GetAsync("/probe/slow"), HttpStatusCode.ServiceUnavailable, "server-busy");

        // A full queue is the one load state in which this instance cannot serve: readiness says so.
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Busy"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var summary = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Unavailable", summary.GetProperty("status").GetString());
        var queue = summary.GetProperty("requestQueue");
        Assert.Equal(2, queue.GetProperty("inFlight").GetInt32());
        Assert.Equal(3, queue.GetProperty("queued").GetInt32());
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("capacity_request_queue_in_flight", metrics);
        Assert.Contains("capacity_request_queue_queued", metrics);
        api.ReleaseAll();
        await Task.WhenAll(held);
        var after = await api.Client.GetAsync("/health/ready");
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (after.StatusCode, await after.Content.ReadAsStringAsync()));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(10);
        }
    }
}
