using System.Threading.RateLimiting;
using Capacity.Application.Common.Metrics;
using Microsoft.Extensions.Options;

namespace Capacity.WebApi.RequestQueue;

/// <summary>
/// The request queue's accounting: a <see cref="ConcurrencyLimiter"/> (permits = MaxConcurrent, queue = MaxQueued,
/// oldest first) and the wait bound it lacks (a queued acquire is cancelled at QueueTimeout, which frees its place).
/// </summary>
public sealed class RequestGate : IDisposable
{
    private static readonly List<WeakReference<RequestGate>> Live = [];
    private readonly ConcurrencyLimiter _limiter;
    private readonly RequestQueueOptions _options;

    static RequestGate()
    {
        CapacityMetrics.Meter.CreateObservableGauge("capacity.request_queue.in_flight", () => Sum(g => g.InFlight),
            description: "API requests running now (at most RequestQueue:MaxConcurrent).");
        CapacityMetrics.Meter.CreateObservableGauge("capacity.request_queue.queued", () => Sum(g => g.Queued),
            description: "API requests waiting for a turn (at most RequestQueue:MaxQueued).");
    }

    public RequestGate(IOptions<RequestQueueOptions> options)
    {
        _options = options.Value;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = _options.MaxConcurrent,
            QueueLimit = _options.MaxQueued,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        lock (Live)
        {
            Live.Add(new WeakReference<RequestGate>(this));
        }
    }

    public RequestQueueOptions Options => _options;

    public int InFlight => _options.MaxConcurrent - (int)(_limiter.GetStatistics()?.CurrentAvailablePermits ?? _options.MaxConcurrent);

    public int Queued => (int)(_limiter.GetStatistics()?.CurrentQueuedCount ?? 0);

    /// <summary>A turn, or why there is none: the queue is full, or the wait passed QueueTimeout.</summary>
    public async ValueTask<(RateLimitLease? Lease, string? Refusal)> EnterAsync(CancellationToken requestAborted)
    {
        var now = _limiter.AttemptAcquire();
        if (now.IsAcquired)
        {
            return (now, null);
        }

        now.Dispose();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        wait.CancelAfter(_options.QueueTimeout);
        try
        {
            var lease = await _limiter.AcquireAsync(1, wait.Token);
            if (lease.IsAcquired)
            {
                return (lease, null);
            }

            lease.Dispose();
            return (null, "full");
        }
        catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
        {
            return (null, "timeout");
        }
    }

    public void Dispose()
    {
        _limiter.Dispose();
        lock (Live)
        {
            Live.RemoveAll(w => !w.TryGetTarget(out var g) || ReferenceEquals(g, this));
        }
    }

    private static int Sum(Func<RequestGate, int> value)
    {
        lock (Live)
        {
            return Live.Sum(w => w.TryGetTarget(out var g) ? value(g) : 0);
        }
    }
}
