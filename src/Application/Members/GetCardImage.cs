using Capacity.Application.Common.Messaging;
using Capacity.Domain.Common;
using Mediator;

namespace Capacity.Application.Members;

/// <summary>A member's card QR code as a PNG image (of the cached card's payload), cached 4 h as the seed caches QR codes.</summary>
public static class GetCardImage
{
    public sealed record Query(Guid MemberId) : ICachedQuery<Result<CardImage>>, IHandlesDatabaseFaults
    {
        public string CacheKey => MemberCache.CardImageKey(MemberId);

        public TimeSpan CacheDuration => MemberCache.CardImageDuration;

        public IReadOnlyCollection<string> CacheTags => [MemberCache.CardTag(MemberId)];
    }

    internal sealed class Handler(IMemberCardCache cards, IQrRenderer renderer) : IQueryHandler<Query, Result<CardImage>>
    {
        public async ValueTask<Result<CardImage>> Handle(Query query, CancellationToken cancellationToken)
        {
            var card = await cards.GetAsync(query.MemberId, cancellationToken);
            return card.IsSuccess ? new CardImage(renderer.Png(card.Value!.QrPayload)) : card.Error!;
        }
    }
}
