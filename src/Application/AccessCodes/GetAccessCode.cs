using Capacity.Application.Common.Messaging;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using FluentValidation;
using Mediator;

namespace Capacity.Application.AccessCodes;

/// <summary>
/// Anyone reads an access code and its usage: metadata cached 30 s, usage 5 s (<see cref="GetCodeUsage"/>),
/// both invalidated by every change through the API and served stale while the database is down.
/// </summary>
public static class GetAccessCode
{
    public sealed record Query(string Code) : IQuery<Result<AccessCodeResponse>>;

    internal sealed class Validator : AbstractValidator<Query>
    {
        public Validator() => RuleFor(q => q.Code).MustBeAccessCode();
    }

    internal sealed class Handler(ISender sender) : IQueryHandler<Query, Result<AccessCodeResponse>>
    {
        public async ValueTask<Result<AccessCodeResponse>> Handle(Query query, CancellationToken cancellationToken)
        {
            var code = AccessCodeRules.Normalize(query.Code);
            var details = await sender.Send(new GetDetails(code), cancellationToken);
            if (!details.IsSuccess)
            {
                return details;
            }

            var usage = await sender.Send(new GetCodeUsage.Query(code), cancellationToken);
            return usage is null ? details : details.Value with { UsageCount = usage.UsageCount };
        }
    }

    /// <summary>The code's row as last read, cached 30 s.</summary>
    internal sealed record GetDetails(string NormalizedCode) : ICachedQuery<Result<AccessCodeResponse>>, IDatabaseBound
    {
        public string CacheKey => AccessCodeCache.DetailsKey(NormalizedCode);

        public TimeSpan CacheDuration => AccessCodeCache.DetailsDuration;

        public IReadOnlyCollection<string> CacheTags => [AccessCodeCache.CodeTag(NormalizedCode)];
    }

    internal sealed class DetailsHandler(IAccessCodeStore store) : IQueryHandler<GetDetails, Result<AccessCodeResponse>>
    {
        public async ValueTask<Result<AccessCodeResponse>> Handle(GetDetails query, CancellationToken cancellationToken) =>
            await store.FindAsync(query.NormalizedCode, cancellationToken) is { } code
                ? AccessCodeResponse.From(code)
                : AccessCodeErrors.NotFound(query.NormalizedCode);
    }
}
