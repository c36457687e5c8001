namespace Capacity.Application.AccessCodes;

/// <summary>
/// The access codes' cached data, for handlers that combine it with live data (the one approved pattern for
/// composite reads, docs/architecture.md): Infrastructure implements it over the same cache entries, keys and
/// tags as <see cref="GetAccessCode.Query"/> (<see cref="AccessCodeCache"/>), so a handler never sends another
/// request through the mediator and never touches the cache itself.
/// </summary>
public interface IAccessCodeCache
{
    /// <summary>
    /// What this instance's memory cache holds for the code right now (never Redis, never the database): null
    /// when nothing fresh is cached. Costs no I/O, so the claim's capacity pre-check can run on every claim.
    /// </summary>
    ValueTask<AccessCodeResponse?> PeekAsync(string normalizedCode, CancellationToken cancellationToken);
}
