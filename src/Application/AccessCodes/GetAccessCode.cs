using Capacity.Application.Common.Messaging;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using FluentValidation;
using Mediator;

namespace Capacity.Application.AccessCodes;

/// <summary>
/// Anyone reads an access code and its usage. Cached for 5 s, the usage freshness of the seed (its 30 s for
/// metadata alone is looser than that), invalidated by every change through the API, and served stale while
/// the database is down.
/// </summary>
public static class GetAccessCode
{
    public sealed record Query(string Code) : ICachedQuery<Result<AccessCodeResponse>>
    {
        private string Normalized => AccessCodeRules.Normalize(Code);

        public string CacheKey => AccessCodeCache.CodeKey(Normalized);

        public TimeSpan CacheDuration => AccessCodeCache.UsageDuration;

        public IReadOnlyCollection<string> CacheTags => [AccessCodeCache.CodeTag(Normalized)];
    }

    internal sealed class Validator : AbstractValidator<Query>
    {
        public Validator() => RuleFor(q => q.Code).MustBeAccessCode();
    }

    internal sealed class Handler(IAccessCodeStore store) : IQueryHandler<Query, Result<AccessCodeResponse>>
    {
        public async ValueTask<Result<AccessCodeResponse>> Handle(Query query, CancellationToken cancellationToken)
        {
            var normalized = AccessCodeRules.Normalize(query.Code);
            return await store.FindAsync(normalized, cancellationToken) is { } code
                ? AccessCodeResponse.From(code)
                : AccessCodeErrors.NotFound(normalized);
        }
    }
}
