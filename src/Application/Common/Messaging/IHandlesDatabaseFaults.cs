namespace Capacity.Application.Common.Messaging;

/// <summary>
/// A request whose handler runs its own database work through the database circuit breaker, because it has something
/// else to answer with when the database cannot (a card issued from the member the lookups hold). The
/// <c>CircuitBreakerBehavior</c> lets it through; the handler must call <c>DatabaseCircuitBreaker</c> itself.
/// </summary>
public interface IHandlesDatabaseFaults;
