using Capacity.Application.Common.Errors;
using Capacity.Application.Common.Metrics;
using Capacity.Domain.Common;
using FluentValidation;
using Mediator;
using Polly.CircuitBreaker;

namespace Capacity.Application.Common.Behaviors;

/// <summary>
/// Outermost behavior: records every request's duration and outcome in
/// <c>capacity.request.duration</c> and keeps <c>capacity.request.in_flight</c> current.
/// The outcome is "success", the error code of a failed result, or the kind of exception. The same sample
/// feeds <see cref="OperationMonitor"/> for the performance API.
/// </summary>
public sealed class TimingBehavior<TMessage, TResponse>(TimeProvider clock, OperationMonitor monitor)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(
        TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var request = new KeyValuePair<string, object?>("request", RequestName<TMessage>.Value);
        var window = monitor.For(RequestName<TMessage>.Value);
        CapacityMetrics.RequestsInFlight.Add(1, request);
        window.Started();
        var started = clock.GetTimestamp();
        var outcome = "exception";
        var success = false;
        try
        {
            var response = await next(message, cancellationToken);
            var error = (response as IOutcome)?.Error;
            outcome = error?.Code ?? "success";

            // Expected answers (not found, full, gone) are the operation working; busy is not (ErrorKinds).
            success = error is null || !ErrorKinds.Of(error.Kind).CountsAsFailure;
            return response;
        }
        catch (ValidationException)
        {
            outcome = "invalid";
            success = true;
            throw;
        }
        catch (BrokenCircuitException)
        {
            outcome = "circuit-open";
            throw;
        }
        finally
        {
            var elapsed = clock.GetElapsedTime(started);
            CapacityMetrics.RequestsInFlight.Add(-1, request);
            CapacityMetrics.RequestDuration.Record(elapsed.TotalSeconds, request, new("outcome", outcome));
            window.Finished(clock.GetUtcNow(), elapsed, success);
        }
    }
}
