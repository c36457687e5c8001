using Capacity.Application.Common.Messaging;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using FluentValidation;
using Mediator;

namespace Capacity.Application.AccessCodes;

/// <summary>Anyone reads an access code and its current usage; served from cache, stale while the database is down.</summary>
public static class GetAccessCode
{
    public sealed record Query(string Code) : ICachedQuery<Result<AccessCodeResponse>>, IDatabaseBound
    {
        private string Normalized => AccessCodeRules.Normalize(Code);

        public string CacheKey => AccessCodeCache.CodeKey(Normalized);

        public TimeSpan CacheDuration => AccessCodeCache.CodeDuration;

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
            var code = await store.FindAsync(normalized, cancellationToken);
            return code is null ? AccessCodeErrors.NotFound(normalized) : AccessCodeResponse.From(code);
        }
    }
}
