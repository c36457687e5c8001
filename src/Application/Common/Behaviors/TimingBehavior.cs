using Capacity.Application.Common.Metrics;
using Capacity.Domain.Common;
using FluentValidation;
using Mediator;
using Polly.CircuitBreaker;

namespace Capacity.Application.Common.Behaviors;

/// <summary>
/// Outermost behavior: records every request's duration and outcome in
/// <c>capacity.request.duration</c> and keeps <c>capacity.request.in_flight</c> current.
/// The outcome is "success", the error code of a failed result, or the kind of exception.
/// </summary>
public sealed class TimingBehavior<TMessage, TResponse>(TimeProvider clock) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(
        TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var request = new KeyValuePair<string, object?>("request", RequestName<TMessage>.Value);
        CapacityMetrics.RequestsInFlight.Add(1, request);
        var started = clock.GetTimestamp();
        var outcome = "exception";
        try
        {
            var response = await next(message, cancellationToken);
            outcome = (response as IOutcome)?.Error?.Code ?? "success";
            return response;
        }
        catch (ValidationException)
        {
            outcome = "invalid";
            throw;
        }
        catch (BrokenCircuitException)
        {
            outcome = "circuit-open";
            throw;
        }
        finally
        {
            CapacityMetrics.RequestsInFlight.Add(-1, request);
            CapacityMetrics.RequestDuration.Record(
                clock.GetElapsedTime(started).TotalSeconds, request, new("outcome", outcome));
        }
    }
}
