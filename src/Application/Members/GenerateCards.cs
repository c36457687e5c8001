using Capacity.Application.Common.Messaging;
using Capacity.Application.Common.Resilience;
using FluentValidation;
using Mediator;
using Polly.CircuitBreaker;

namespace Capacity.Application.Members;

/// <summary>
/// Cards for up to 100 members at once (seed 002's batch-generate), at most <c>concurrency</c> (1-20) built at a time.
/// Each card comes from the same cache as the single card route; a member that does not exist, or whose card cannot be
/// built right now, is a failure with its reason beside the cards, never a failed batch.
/// </summary>
public static class GenerateCards
{
    public const int MaxMembers = 100;
    public const int MaxConcurrency = 20;
    public const int DefaultConcurrency = 5;
    public const string TooManyMessage = "'{PropertyName}' must hold at most 100 ids.";

    /// <param name="MemberIds">1-100 member ids; a repeated id is answered once.</param>
    /// <param name="Concurrency">How many cards are built at once: 1-20, default 5.</param>
    public sealed record Query(IReadOnlyList<Guid>? MemberIds, int? Concurrency = null) : IQuery<Response>, IHandlesDatabaseFaults;

    /// <param name="Cards">The cards built, in the order of the request.</param>
    /// <param name="Failures">The members without a card, with why: member-not-found, or unavailable (retry later).</param>
    public sealed record Response(IReadOnlyList<CardResponse> Cards, IReadOnlyList<Failure> Failures);

    public sealed record Failure(Guid MemberId, string Reason);

    internal sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.MemberIds).NotEmpty()
                .Must(ids => ids is null || ids.Count <= MaxMembers).WithMessage(TooManyMessage);
            RuleFor(q => q.Concurrency).InclusiveBetween(1, MaxConcurrency);
        }
    }

    internal sealed class Handler(IMemberCardCache cards, IDatabaseFaults faults) : IQueryHandler<Query, Response>
    {
        public async ValueTask<Response> Handle(Query query, CancellationToken cancellationToken)
        {
            var ids = query.MemberIds!.Distinct().ToArray();
            var outcomes = new (CardResponse? Card, Failure? Failure)[ids.Length];
            var options = new ParallelOptions
            {
                MaxDegreeOfParallelism = query.Concurrency ?? DefaultConcurrency,
                CancellationToken = cancellationToken,
            };
            await Parallel.ForEachAsync(Enumerable.Range(0, ids.Length), options, async (i, ct) =>
            {
                try
                {
                    var card = await cards.GetAsync(ids[i], ct);
                    outcomes[i] = card.IsSuccess ? (card.Value, null) : (null, new Failure(ids[i], card.Error!.Code));
                }
                catch (Exception e) when (!ct.IsCancellationRequested && (e is BrokenCircuitException || faults.IsUnavailable(e)))
                {
                    outcomes[i] = (null, new Failure(ids[i], "unavailable"));
                }
            });

            return new Response(
                [.. outcomes.Where(o => o.Card is not null).Select(o => o.Card!)],
                [.. outcomes.Where(o => o.Failure is not null).Select(o => o.Failure!)]);
        }
    }
}
