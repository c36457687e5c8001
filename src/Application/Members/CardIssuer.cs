using Capacity.Application.Common.Resilience;
using Capacity.Domain.Common;
using Capacity.Domain.Members;
using Polly.CircuitBreaker;

namespace Capacity.Application.Members;

/// <summary>
/// Issues a member's card from the database, through the database circuit breaker. When the database cannot answer
/// (down, or the breaker open), from the member the lookups hold if the cache has it fresh — what the last registration
/// or update wrote through — so a card drawn right after an update shows it even when PostgreSQL stopped a moment
/// later; without such a member the failure stands (and fail-safe may answer the card from before).
/// The database comes first on purpose: an update writes the member and removes the card as two backplane messages, and
/// an instance rebuilding the card between them would otherwise sign the member from before the update.
/// </summary>
public sealed class CardIssuer(
    IMemberLookupCache lookups, IMemberStore store, ICardSigner signer, TimeProvider clock, DatabaseCircuitBreaker breaker, IDatabaseFaults faults)
{
    public async Task<Result<CardResponse>> IssueAsync(Guid memberId, CancellationToken cancellationToken)
    {
        MemberResponse? member;
        try
        {
            member = await breaker.ExecuteAsync(
                async ct => await store.FindAsync(memberId, ct) is { } stored ? MemberResponse.From(stored) : null, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && (e is BrokenCircuitException || faults.IsUnavailable(e)))
        {
            member = await lookups.PeekAsync(memberId, cancellationToken);
            if (member is null)
            {
                throw;
            }
        }

        return member is null ? MemberErrors.NotFound(memberId) : CardResponse.Issue(member, signer, clock.GetUtcNow());
    }
}
