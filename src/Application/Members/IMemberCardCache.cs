using Capacity.Domain.Common;

namespace Capacity.Application.Members;

/// <summary>
/// The cached card of a member, with the same key, duration and tags as <see cref="GenerateCard.Query"/> (the approved
/// composite read): the QR image shows exactly the payload the card route answers.
/// </summary>
public interface IMemberCardCache
{
    Task<Result<CardResponse>> GetAsync(Guid memberId, CancellationToken cancellationToken);
}

/// <summary>Draws a QR code as a PNG image.</summary>
public interface IQrRenderer
{
    byte[] Png(string text);
}

/// <summary>
/// The member the lookups hold in the cache (<see cref="GetMember.Query"/>'s entry), if it is fresh; never the database.
/// What a card is issued from when the database cannot answer: after an update, the member it wrote through.
/// </summary>
public interface IMemberLookupCache
{
    Task<MemberResponse?> PeekAsync(Guid memberId, CancellationToken cancellationToken);
}
