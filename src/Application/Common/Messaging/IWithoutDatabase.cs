namespace Capacity.Application.Common.Messaging;

/// <summary>
/// A request whose handler never touches the database (it reads this instance's memory). Every other request
/// runs through the database circuit breaker (<c>CircuitBreakerBehavior</c>), which fails it fast with 503 while
/// the database is known to be down: a request that forgets to say anything is protected, not skipped.
/// </summary>
public interface IWithoutDatabase;
