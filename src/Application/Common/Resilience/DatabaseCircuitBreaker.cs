using Capacity.Application.Common.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace Capacity.Application.Common.Resilience;

/// <summary>
/// The one circuit breaker in front of the database, shared by every request of this instance.
/// While open, <see cref="ExecuteAsync{T}"/> throws <see cref="BrokenCircuitException"/> at once
/// (mapped to 503 with <c>Retry-After</c>).
/// </summary>
public sealed partial class DatabaseCircuitBreaker
{
    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _state = new();

    public DatabaseCircuitBreaker(
        IOptions<CircuitBreakerOptions> options,
        IDatabaseFaults faults,
        TimeProvider clock,
        ILogger<DatabaseCircuitBreaker> logger)
    {
        var settings = options.Value;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = settings.FailureRatio,
                MinimumThroughput = settings.MinimumThroughput,
                SamplingDuration = settings.SamplingDuration,
                BreakDuration = settings.BreakDuration,
                StateProvider = _state,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } exception && faults.IsUnavailable(exception)),
                OnOpened = args =>
                {
                    faults.ResetConnections();
                    LogOpened(logger, args.BreakDuration);
                    CapacityMetrics.BreakerTransitions.Add(1, new KeyValuePair<string, object?>("state", "open"));
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    LogHalfOpened(logger);
                    CapacityMetrics.BreakerTransitions.Add(1, new KeyValuePair<string, object?>("state", "half-open"));
                    return default;
                },
                OnClosed = _ =>
                {
                    LogClosed(logger);
                    CapacityMetrics.BreakerTransitions.Add(1, new KeyValuePair<string, object?>("state", "closed"));
                    return default;
                },
            })
            .Build();
    }

    /// <summary>Closed, Open, HalfOpen or Isolated; shown on <c>/health</c>.</summary>
    public CircuitState State => _state.CircuitState;

    public ValueTask<T> ExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> action, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(static (work, ct) => work(ct), action, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database circuit opened for {BreakDuration}: requests that need the database fail fast.")]
    private static partial void LogOpened(ILogger logger, TimeSpan breakDuration);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database circuit half-open: the next request probes the database.")]
    private static partial void LogHalfOpened(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database circuit closed: the database answers again.")]
    private static partial void LogClosed(ILogger logger);
}
