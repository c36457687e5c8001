namespace Capacity.Application.Common.Messaging;

/// <summary>
/// A request whose handler needs the database. <c>CircuitBreakerBehavior</c> runs it through the
/// database circuit breaker: it fails fast with 503 while the database is known to be down.
/// </summary>
public interface IDatabaseBound;
