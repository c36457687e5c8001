using Capacity.Application.Members;
using Capacity.Domain.Members;
using Capacity.UnitTests.Common.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace Capacity.UnitTests.Members;

public sealed class CardIssuerTests
{
    private static readonly Guid MemberId = Guid.CreateVersion7();

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private readonly Store _store = new();
    private readonly Lookups _lookups = new();

    private CardIssuer Issuer(out Capacity.Application.Common.Resilience.DatabaseCircuitBreaker breaker)
    {
        var faults = new DatabaseCircuitBreakerTests.FakeDatabaseFaults();
        breaker = DatabaseCircuitBreakerTests.Create(_clock, faults);
        return new CardIssuer(_lookups, _store, new Signer(), _clock, breaker, faults);
    }

    [Fact]
    public async Task The_database_answers_the_card_even_when_the_lookups_hold_the_member_too()
    {
        // Another instance may hold the member from before an update while the card's removal already reached it.
        _store.Stored = Member(MemberStatus.Suspended);
        _lookups.Held = MemberResponse.From(Member(MemberStatus.Active));

        var card = await Issuer(out _).IssueAsync(MemberId, default);

        Assert.Equal(("suspended", "signed suspended"), (card.Value!.Status, card.Value.QrPayload));
    }

    [Fact]
    public async Task When_the_database_cannot_answer_the_card_is_issued_from_the_member_the_lookups_hold()
    {
        _store.Down = true;
        _lookups.Held = MemberResponse.From(Member(MemberStatus.Suspended));

        var card = await Issuer(out _).IssueAsync(MemberId, default);

        Assert.Equal(("suspended", "Lindiwe Dube"), (card.Value!.Status, card.Value.FullName));
    }

    [Fact]
    public async Task With_the_breaker_open_the_held_member_answers_without_asking_the_database()
    {
        _store.Down = true;
        var issuer = Issuer(out var breaker);
        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<TimeoutException>(() => issuer.IssueAsync(MemberId, default));
        }

        Assert.Equal(Polly.CircuitBreaker.CircuitState.Open, breaker.State);
        _lookups.Held = MemberResponse.From(Member(MemberStatus.Expired));
        var reads = _store.Reads;

        var card = await issuer.IssueAsync(MemberId, default);

        Assert.Equal(("expired", reads), (card.Value!.Status, _store.Reads));
    }

    [Fact]
    public async Task Without_the_database_or_a_held_member_the_failure_stands_and_an_unknown_member_is_not_found()
    {
        _store.Down = true;
        await Assert.ThrowsAsync<TimeoutException>(() => Issuer(out _).IssueAsync(MemberId, default));

        _store.Down = false;
        var missing = await Issuer(out _).IssueAsync(MemberId, default);
        Assert.Equal("member-not-found", missing.Error!.Code);
    }

    private Member Member(MemberStatus status) => new()
    {
        Id = MemberId,
        IdNumber = "T1234567",
        FirstName = "Lindiwe",
        Surname = "Dube",
        ProvinceCode = "GP",
        MunicipalityCode = "JHB",
        WardCode = "JHB-007",
        MembershipNumber = "M000000018",
        Status = status,
        JoinedAt = _clock.GetUtcNow().AddYears(-1),
        ExpiresAt = _clock.GetUtcNow().AddYears(1),
        CreatedAt = _clock.GetUtcNow().AddYears(-1),
        UpdatedAt = _clock.GetUtcNow(),
    };

    private sealed class Store : IMemberStore
    {
        public Member? Stored { get; set; }

        public bool Down { get; set; }

        public int Reads { get; private set; }

        public Task<Member?> FindAsync(Guid memberId, CancellationToken cancellationToken)
        {
            Reads++;
            return Down ? throw new TimeoutException("the database did not answer") : Task.FromResult(Stored);
        }

        public Task<long> NextMembershipSequenceAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> TryAddAsync(Member member, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Member?> FindByIdNumberAsync(string normalizedIdNumber, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<Member?> UpdateAsync(
            Guid memberId, string firstName, string surname, MemberStatus status, DateTimeOffset expiresAt, DateTimeOffset now,
            CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class Lookups : IMemberLookupCache
    {
        public MemberResponse? Held { get; set; }

        public Task<MemberResponse?> PeekAsync(Guid memberId, CancellationToken cancellationToken) => Task.FromResult(Held);
    }

    private sealed class Signer : ICardSigner
    {
        public CardKeySet PublicKeys => new([]);

        public string Sign(CardClaims claims) => $"signed {claims.Status}";
    }
}
