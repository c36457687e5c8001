using Capacity.Application.Common.Resilience;
using Capacity.Application.Members;
using Capacity.Domain.Common;
using Capacity.Domain.Members;

namespace Capacity.UnitTests.Members;

public sealed class GenerateCardsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(20)]
    public async Task At_most_concurrency_cards_are_built_at_once_and_the_limit_is_reached(int concurrency)
    {
        var cards = new SlowCards();
        var ids = Enumerable.Range(0, 60).Select(_ => Guid.CreateVersion7()).ToArray();

        var response = await new GenerateCards.Handler(cards, new NoFaults()).Handle(new GenerateCards.Query(ids, concurrency), default);

        Assert.Equal(60, response.Cards.Count);
        Assert.Equal(concurrency, cards.Peak);
        Assert.Equal(ids, response.Cards.Select(c => c.MemberId));
    }

    [Fact]
    public async Task Unknown_members_and_unreadable_cards_are_failures_beside_the_cards_in_request_order()
    {
        var known = Guid.CreateVersion7();
        var unknown = Guid.CreateVersion7();
        var unreadable = Guid.CreateVersion7();
        var cards = new SlowCards { Missing = { unknown }, Failing = { unreadable } };

        var response = await new GenerateCards.Handler(cards, new NoFaults()).Handle(
            new GenerateCards.Query([unknown, known, unreadable, known], 3), default);

        Assert.Equal([known], response.Cards.Select(c => c.MemberId));
        Assert.Equal(
            [new GenerateCards.Failure(unknown, "member-not-found"), new GenerateCards.Failure(unreadable, "unavailable")],
            response.Failures);
    }

    [Theory]
    [InlineData(0, 5, false)]
    [InlineData(1, 5, true)]
    [InlineData(100, 20, true)]
    [InlineData(101, 5, false)]
    [InlineData(3, 0, false)]
    [InlineData(3, 21, false)]
    public void Batches_hold_1_to_100_members_at_a_concurrency_of_1_to_20(int members, int concurrency, bool valid)
    {
        var query = new GenerateCards.Query([.. Enumerable.Range(0, members).Select(_ => Guid.CreateVersion7())], concurrency);

        Assert.Equal(valid, new GenerateCards.Validator().Validate(query).IsValid);
    }

    private sealed class SlowCards : IMemberCardCache
    {
        private int _inFlight;
        private int _peak;

        public HashSet<Guid> Missing { get; } = [];

        public HashSet<Guid> Failing { get; } = [];

        public int Peak => _peak;

        public async Task<Result<CardResponse>> GetAsync(Guid memberId, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _inFlight);
            int seen;
            while ((seen = _peak) < now && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
            {
            }

            try
            {
                await Task.Delay(20, cancellationToken);
                if (Failing.Contains(memberId))
                {
                    throw new TimeoutException("the database did not answer");
                }

                return Missing.Contains(memberId)
                    ? MemberErrors.NotFound(memberId)
                    : new CardResponse(memberId, "M000000018", "A B", "active", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(60), "x.y.z");
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }

    private sealed class NoFaults : IDatabaseFaults
    {
        public bool IsUnavailable(Exception exception) => exception is TimeoutException;

        public bool IsRefusedText(Exception exception) => false;

        public void ResetConnections()
        {
        }
    }
}
