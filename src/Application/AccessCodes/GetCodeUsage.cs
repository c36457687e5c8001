using Capacity.Application.Common.Messaging;
using Mediator;

namespace Capacity.Application.AccessCodes;

/// <summary>
/// The seats in use of one code, cached for 5 s and invalidated by every claim, release and cleanup through
/// the API. <see cref="Query"/> reads through to the database; <see cref="Peek"/> reads the cache only.
/// </summary>
public static class GetCodeUsage
{
    /// <summary>Usage of the code (null when it does not exist), from the cache or the database.</summary>
    public sealed record Query(string NormalizedCode) : ICachedQuery<CodeUsage?>, IDatabaseBound
    {
        public string CacheKey => AccessCodeCache.UsageKey(NormalizedCode);

        public TimeSpan CacheDuration => AccessCodeCache.UsageDuration;

        public IReadOnlyCollection<string> CacheTags => [AccessCodeCache.CodeTag(NormalizedCode)];
    }

    /// <summary>
    /// What the cache knows of the code's usage right now, never the database: null when nothing fresh is
    /// cached. The claim's pre-check uses it, so a claim on a code nobody read lately costs no extra query.
    /// </summary>
    public sealed record Peek(string NormalizedCode) : ICachedQuery<CodeUsage?>
    {
        public string CacheKey => AccessCodeCache.UsageKey(NormalizedCode);

        public TimeSpan CacheDuration => AccessCodeCache.UsageDuration;

        public IReadOnlyCollection<string> CacheTags => [AccessCodeCache.CodeTag(NormalizedCode)];

        public bool CacheOnly => true;
    }

    internal sealed class Handler(IAccessCodeStore store) : IQueryHandler<Query, CodeUsage?>
    {
        public async ValueTask<CodeUsage?> Handle(Query query, CancellationToken cancellationToken) =>
            await store.FindUsageAsync(query.NormalizedCode, cancellationToken);
    }

    /// <summary>Runs only when the cache had nothing fresh: then nothing is known.</summary>
    internal sealed class PeekHandler : IQueryHandler<Peek, CodeUsage?>
    {
        public ValueTask<CodeUsage?> Handle(Peek query, CancellationToken cancellationToken) => ValueTask.FromResult<CodeUsage?>(null);
    }
}

/// <summary>Seats of a code: in use and in all.</summary>
public sealed record CodeUsage(int UsageCount, int MaxUsageCount)
{
    public bool IsFull => UsageCount >= MaxUsageCount;
}
