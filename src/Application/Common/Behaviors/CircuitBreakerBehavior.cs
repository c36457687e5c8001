using Capacity.Application.Common.Messaging;
using Capacity.Application.Common.Resilience;
using Mediator;

namespace Capacity.Application.Common.Behaviors;

/// <summary>
/// Innermost behavior: runs <see cref="IDatabaseBound"/> requests through the shared
/// <see cref="DatabaseCircuitBreaker"/>. Other requests pass straight through.
/// </summary>
public sealed class CircuitBreakerBehavior<TMessage, TResponse>(DatabaseCircuitBreaker breaker)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public ValueTask<TResponse> Handle(
        TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken) =>
        message is IDatabaseBound
            ? breaker.ExecuteAsync(ct => next(message, ct), cancellationToken)
            : next(message, cancellationToken);
}
