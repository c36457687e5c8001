using Capacity.Application.Common.Messaging;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Mediator;

namespace Capacity.Application.AccessCodes;

/// <summary>
/// The seats in use of one code, cached for 5 s and invalidated by every claim and release through the API.
/// Used by <see cref="GetAccessCode"/> and by the claim's capacity pre-check.
/// </summary>
public static class GetCodeUsage
{
    public sealed record Query(string NormalizedCode) : ICachedQuery<Result<CodeUsage>>, IDatabaseBound
    {
        public string CacheKey => AccessCodeCache.UsageKey(NormalizedCode);

        public TimeSpan CacheDuration => AccessCodeCache.UsageDuration;

        public IReadOnlyCollection<string> CacheTags => [AccessCodeCache.CodeTag(NormalizedCode)];
    }

    internal sealed class Handler(IAccessCodeStore store) : IQueryHandler<Query, Result<CodeUsage>>
    {
        public async ValueTask<Result<CodeUsage>> Handle(Query query, CancellationToken cancellationToken) =>
            await store.FindUsageAsync(query.NormalizedCode, cancellationToken) is { } usage
                ? usage
                : AccessCodeErrors.NotFound(query.NormalizedCode);
    }
}

/// <summary>Seats of a code: in use and in all.</summary>
public sealed record CodeUsage(int UsageCount, int MaxUsageCount)
{
    public bool IsFull => UsageCount >= MaxUsageCount;
}
