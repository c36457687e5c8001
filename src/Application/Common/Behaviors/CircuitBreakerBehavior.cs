using Capacity.Application.Common.Messaging;
using Capacity.Application.Common.Resilience;
using Mediator;

namespace Capacity.Application.Common.Behaviors;

/// <summary>
/// Innermost behavior: runs every request through the shared <see cref="DatabaseCircuitBreaker"/>, except those
/// that declare <see cref="IWithoutDatabase"/> or <see cref="IHandlesDatabaseFaults"/> (opt-out, so a request that
/// declares nothing is protected).
/// </summary>
public sealed class CircuitBreakerBehavior<TMessage, TResponse>(DatabaseCircuitBreaker breaker)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public ValueTask<TResponse> Handle(
        TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken) =>
        message is IWithoutDatabase or IHandlesDatabaseFaults
            ? next(message, cancellationToken)
            : breaker.ExecuteAsync(ct => next(message, ct), cancellationToken);
}
