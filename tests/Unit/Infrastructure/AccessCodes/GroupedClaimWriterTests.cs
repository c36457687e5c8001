using Capacity.Application.AccessCodes;
using Capacity.Domain.Common;
using Capacity.Infrastructure.AccessCodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Capacity.UnitTests.Infrastructure.AccessCodes;

public sealed class GroupedClaimWriterTests
{
    // Real time, only so that a broken writer fails the test instead of hanging it; never waited out when green.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly FakeClaimStatements _statements = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 15, 12, 0, 0, TimeSpan.Zero));

    private GroupedClaimWriter Create(int groupedTransactions = 1, int maxCodesPerTransaction = 64, int maxBatchSize = 1000) => new(
        _statements,
        Options.Create(new ClaimOptions
        {
            GroupedTransactions = groupedTransactions,
            MaxCodesPerTransaction = maxCodesPerTransaction,
            MaxBatchSize = maxBatchSize,
        }),
        _clock,
        NullLogger<GroupedClaimWriter>.Instance);

    /// <summary>A batch of <paramref name="claims"/> claims of <paramref name="code"/> without client references.</summary>
    private Task<Result<SeatGrant>[]?> Batch(
        GroupedClaimWriter writer, string code, int claims = 1, CancellationToken cancellationToken = default) =>
        writer.TryGrantAsync(code, new string?[claims], _clock.GetUtcNow() + Deadline, cancellationToken);

    private static Task<T> Within<T>(Task<T> task) => task.WaitAsync(Patience);

    private static Task Within(Task task) => task.WaitAsync(Patience);

    /// <summary>Sends a batch and holds its group in flight, so that it keeps one transaction slot busy.</summary>
    private async Task<(Task<Result<SeatGrant>[]?> Batch, TaskCompletionSource Gate)> HoldGroupAsync(
        GroupedClaimWriter writer, string code, int claims = 1, CancellationToken cancellationToken = default)
    {
        var calls = _statements.GroupCalls.Count;
        var gate = _statements.HoldGroupCall();
        var batch = Batch(writer, code, claims, cancellationToken);
        await Within(_statements.WaitForGroupCallsAsync(calls + 1));
        return (batch, gate);
    }

    /// <summary>The parts of every group call so far, as (code, claims) pairs.</summary>
    private (string Code, int Claims)[][] Groups() =>
        _statements.GroupCalls.Select(g => g.Select(p => (p.Code, p.Claims)).ToArray()).ToArray();

    /// <summary>Every claim of the batch got a seat of <paramref name="code"/>, in order, the first one the <paramref name="firstSeat"/>-th.</summary>
    private static void AssertGranted(Result<SeatGrant>[]? outcomes, string code, int claims, int firstSeat = 1)
    {
        Assert.NotNull(outcomes);
        Assert.Equal(claims, outcomes.Length);
        Assert.All(outcomes, o => Assert.True(o.IsSuccess));
        Assert.All(outcomes, o => Assert.Equal(code, o.Value!.Code));
        Assert.Equal(Enumerable.Range(firstSeat, claims), outcomes.Select(o => o.Value!.UsageCount));
    }

    [Fact]
    public async Task Batch_runs_at_once_in_a_group_of_its_own_when_a_transaction_slot_is_free()
    {
        var writer = Create(groupedTransactions: 2);

        // The group is in flight before any other batch exists: it did not wait for company.
        var (batch, gate) = await HoldGroupAsync(writer, "CODE-A", claims: 3);
        Assert.Equal([[("CODE-A", 3)]], Groups());

        gate.SetResult();
        AssertGranted(await Within(batch), "CODE-A", claims: 3);
        Assert.Empty(_statements.CodeCalls);
    }

    [Fact]
    public async Task Batch_runs_at_once_in_the_free_slot_when_another_group_is_in_flight()
    {
        var writer = Create(groupedTransactions: 2);
        var (held, gate) = await HoldGroupAsync(writer, "CODE-A");

        var alone = await Within(Batch(writer, "CODE-B", claims: 2));

        AssertGranted(alone, "CODE-B", claims: 2);
        Assert.False(held.IsCompleted);
        Assert.Equal([[("CODE-A", 1)], [("CODE-B", 2)]], Groups());
        gate.SetResult();
        AssertGranted(await Within(held), "CODE-A", claims: 1);
    }

    [Fact]
    public async Task Batches_of_different_codes_join_one_next_group_when_every_slot_is_busy()
    {
        var writer = Create(groupedTransactions: 2);
        var (a, gateA) = await HoldGroupAsync(writer, "CODE-A");
        var (b, gateB) = await HoldGroupAsync(writer, "CODE-B");

        var c = Batch(writer, "CODE-C", claims: 2);
        var d = Batch(writer, "CODE-D", claims: 1);
        var e = Batch(writer, "CODE-E", claims: 3);
        Assert.Equal(2, _statements.GroupCalls.Count);
        Assert.DoesNotContain(new[] { c, d, e }, t => t.IsCompleted);

        gateA.SetResult();
        AssertGranted(await Within(c), "CODE-C", claims: 2);
        AssertGranted(await Within(d), "CODE-D", claims: 1);
        AssertGranted(await Within(e), "CODE-E", claims: 3);
        AssertGranted(await Within(a), "CODE-A", claims: 1);

        Assert.Equal([("CODE-C", 2), ("CODE-D", 1), ("CODE-E", 3)], Groups()[2]);
        Assert.False(b.IsCompleted);
        gateB.SetResult();
        AssertGranted(await Within(b), "CODE-B", claims: 1);
        Assert.Equal(3, _statements.GroupCalls.Count);
    }

    [Fact]
    public async Task Parts_beyond_MaxCodesPerTransaction_go_in_the_next_group_when_more_codes_wait()
    {
        var writer = Create(maxCodesPerTransaction: 2);
        var (first, gate) = await HoldGroupAsync(writer, "CODE-A");
        string[] codes = ["CODE-B", "CODE-C", "CODE-D", "CODE-E", "CODE-F"];
        var waiting = codes.Select(code => Batch(writer, code)).ToArray();

        gate.SetResult();
        var outcomes = await Within(Task.WhenAll([first, .. waiting]));

        Assert.Equal(
            [[("CODE-A", 1)], [("CODE-B", 1), ("CODE-C", 1)], [("CODE-D", 1), ("CODE-E", 1)], [("CODE-F", 1)]],
            Groups());
        string[] all = ["CODE-A", .. codes];
        for (var i = 0; i < all.Length; i++)
        {
            AssertGranted(outcomes[i], all[i], claims: 1);
        }
    }

    [Fact]
    public async Task Parts_beyond_MaxBatchSize_claims_go_whole_in_the_next_group_when_more_claims_wait()
    {
        var writer = Create(maxBatchSize: 5);
        var (first, gate) = await HoldGroupAsync(writer, "CODE-A");
        var b = Batch(writer, "CODE-B", claims: 3);
        var c = Batch(writer, "CODE-C", claims: 2);
        var d = Batch(writer, "CODE-D", claims: 3);

        gate.SetResult();
        await Within(Task.WhenAll(first, b, c, d));

        Assert.Equal([[("CODE-A", 1)], [("CODE-B", 3), ("CODE-C", 2)], [("CODE-D", 3)]], Groups());
        AssertGranted(await b, "CODE-B", claims: 3);
        AssertGranted(await c, "CODE-C", claims: 2);
        AssertGranted(await d, "CODE-D", claims: 3);
    }

    [Fact]
    public async Task First_part_is_taken_whole_when_it_alone_has_more_claims_than_MaxBatchSize()
    {
        var writer = Create(maxBatchSize: 5);
        var (first, gate) = await HoldGroupAsync(writer, "CODE-A");
        var large = Batch(writer, "CODE-B", claims: 8);
        var small = Batch(writer, "CODE-C", claims: 1);

        gate.SetResult();
        await Within(Task.WhenAll(first, large, small));

        Assert.Equal([[("CODE-A", 1)], [("CODE-B", 8)], [("CODE-C", 1)]], Groups());
        AssertGranted(await large, "CODE-B", claims: 8);
        AssertGranted(await small, "CODE-C", claims: 1);
    }

    [Fact]
    public async Task Second_batch_of_a_code_waits_for_a_later_group_when_its_code_is_in_the_group_being_formed()
    {
        var writer = Create();
        var (first, gate) = await HoldGroupAsync(writer, "CODE-A");
        var earlier = Batch(writer, "CODE-B", claims: 1);
        var later = Batch(writer, "CODE-B", claims: 2);
        var other = Batch(writer, "CODE-C", claims: 1);

        gate.SetResult();
        await Within(Task.WhenAll(first, earlier, later, other));

        Assert.Equal([[("CODE-A", 1)], [("CODE-B", 1), ("CODE-C", 1)], [("CODE-B", 2)]], Groups());
        AssertGranted(await earlier, "CODE-B", claims: 1);
        AssertGranted(await later, "CODE-B", claims: 2, firstSeat: 2);
        AssertGranted(await other, "CODE-C", claims: 1);
    }

    [Fact]
    public async Task Batch_with_a_client_reference_runs_on_the_one_code_statement_when_every_slot_is_busy()
    {
        var writer = Create();
        var (held, gate) = await HoldGroupAsync(writer, "CODE-A");

        var idempotent = await Within(writer.TryGrantAsync("CODE-B", ["client-1", null], _clock.GetUtcNow() + Deadline, CancellationToken.None));

        AssertGranted(idempotent, "CODE-B", claims: 2);
        var call = Assert.Single(_statements.CodeCalls);
        Assert.Equal("CODE-B", call.Code);
        Assert.Equal(["client-1", null], call.ClientRefs);
        Assert.Equal([[("CODE-A", 1)]], Groups());
        gate.SetResult();
        await Within(held);
    }

    [Fact]
    public async Task Batch_with_a_client_reference_leaves_the_transaction_slot_free_when_it_is_in_flight()
    {
        var writer = Create();
        var gate = _statements.HoldCodeCall();
        var idempotent = writer.TryGrantAsync("CODE-A", ["client-1"], _clock.GetUtcNow() + Deadline, CancellationToken.None);
        await Within(_statements.WaitForCodeCallsAsync(1));

        var anonymous = await Within(Batch(writer, "CODE-B"));

        AssertGranted(anonymous, "CODE-B", claims: 1);
        Assert.Equal([[("CODE-B", 1)]], Groups());
        Assert.False(idempotent.IsCompleted);
        gate.SetResult();
        AssertGranted(await Within(idempotent), "CODE-A", claims: 1);
    }

    [Fact]
    public async Task Every_batch_runs_on_the_one_code_statement_when_MaxCodesPerTransaction_is_1()
    {
        var writer = Create(maxCodesPerTransaction: 1);
        var gate = _statements.HoldCodeCall();
        var held = Batch(writer, "CODE-A");
        await Within(_statements.WaitForCodeCallsAsync(1));

        var b = await Within(Batch(writer, "CODE-B", claims: 2));
        var c = await Within(Batch(writer, "CODE-C"));

        AssertGranted(b, "CODE-B", claims: 2);
        AssertGranted(c, "CODE-C", claims: 1);
        gate.SetResult();
        AssertGranted(await Within(held), "CODE-A", claims: 1);
        Assert.Equal(["CODE-A", "CODE-B", "CODE-C"], _statements.CodeCalls.Select(call => call.Code));
        Assert.All(_statements.CodeCalls, call => Assert.All(call.ClientRefs, Assert.Null));
        Assert.Empty(_statements.GroupCalls);
    }

    [Fact]
    public async Task Null_reaches_only_the_caller_of_the_held_code_when_the_other_parts_of_its_group_are_granted()
    {
        var writer = Create();
        _statements.HoldRow("CODE-C");
        var (first, gate) = await HoldGroupAsync(writer, "CODE-A");
        var b = Batch(writer, "CODE-B", claims: 2);
        var c = Batch(writer, "CODE-C", claims: 2);
        var d = Batch(writer, "CODE-D", claims: 1);

        gate.SetResult();
        await Within(Task.WhenAll(first, b, c, d));

        Assert.Equal([("CODE-B", 2), ("CODE-C", 2), ("CODE-D", 1)], Groups()[1]);
        AssertGranted(await b, "CODE-B", claims: 2);
        Assert.Null(await c);
        AssertGranted(await d, "CODE-D", claims: 1);
        Assert.Equal(0, _statements.UsageOf("CODE-C"));
    }

    [Fact]
    public async Task Every_part_of_the_group_gets_the_same_exception_when_the_group_statement_throws()
    {
        var writer = Create();
        var failure = new TimeoutException("The database did not answer.");
        var (first, gate) = await HoldGroupAsync(writer, "CODE-A");
        _statements.FailGroupCall(failure);
        var doomed = new[] { Batch(writer, "CODE-B", claims: 2), Batch(writer, "CODE-C") };

        gate.SetResult();

        AssertGranted(await Within(first), "CODE-A", claims: 1);
        foreach (var batch in doomed)
        {
            Assert.Same(failure, await Assert.ThrowsAsync<TimeoutException>(() => Within(batch)));
        }

        Assert.Equal([("CODE-B", 2), ("CODE-C", 1)], Groups()[1]);
    }

    [Fact]
    public async Task Batch_still_runs_in_the_only_slot_when_a_group_statement_has_thrown()
    {
        var writer = Create(groupedTransactions: 1);
        var failure = new TimeoutException("The database did not answer.");
        _statements.FailGroupCall(failure);
        Assert.Same(failure, await Assert.ThrowsAsync<TimeoutException>(() => Within(Batch(writer, "CODE-A"))));

        var later = await Within(Batch(writer, "CODE-A", claims: 2));

        AssertGranted(later, "CODE-A", claims: 2);
        Assert.Equal([[("CODE-A", 1)], [("CODE-A", 2)]], Groups());
    }

    [Fact]
    public async Task Every_part_of_the_group_fails_and_the_writer_keeps_working_when_the_statement_answers_too_few_parts()
    {
        var writer = Create(groupedTransactions: 1);
        var (first, gate) = await HoldGroupAsync(writer, "CODE-A");
        _statements.AnswerTooFewParts();
        var broken = new[] { Batch(writer, "CODE-B"), Batch(writer, "CODE-C") };

        gate.SetResult();

        await Within(first);
        foreach (var batch in broken)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => Within(batch));
        }

        AssertGranted(await Within(Batch(writer, "CODE-D")), "CODE-D", claims: 1);
    }

    [Fact]
    public async Task Batch_is_cancelled_and_never_sent_when_its_caller_cancels_while_it_waits_for_a_group()
    {
        var writer = Create();
        var (first, gate) = await HoldGroupAsync(writer, "CODE-A");
        using var giveUp = new CancellationTokenSource();
        var abandoned = Batch(writer, "CODE-B", cancellationToken: giveUp.Token);
        var kept = Batch(writer, "CODE-C");

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Within(abandoned));
        gate.SetResult();
        await Within(Task.WhenAll(first, kept));

        Assert.True(abandoned.IsCanceled);
        AssertGranted(await kept, "CODE-C", claims: 1);
        Assert.Equal([[("CODE-A", 1)], [("CODE-C", 1)]], Groups());
        Assert.Equal(0, _statements.UsageOf("CODE-B"));
    }

    [Fact]
    public async Task Next_batch_of_the_code_joins_the_next_group_when_an_earlier_one_was_cancelled_while_waiting()
    {
        var writer = Create();
        var (first, gate) = await HoldGroupAsync(writer, "CODE-A");
        using var giveUp = new CancellationTokenSource();
        var abandoned = Batch(writer, "CODE-B", cancellationToken: giveUp.Token);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Within(abandoned));
        var retried = Batch(writer, "CODE-B", claims: 2);

        gate.SetResult();
        await Within(Task.WhenAll(first, retried));

        Assert.True(abandoned.IsCanceled);
        AssertGranted(await retried, "CODE-B", claims: 2);
        Assert.Equal([[("CODE-A", 1)], [("CODE-B", 2)]], Groups());
    }

    [Fact]
    public async Task Batch_is_cancelled_and_never_sent_when_its_token_is_cancelled_before_the_call()
    {
        var writer = Create();
        using var giveUp = new CancellationTokenSource();
        await giveUp.CancelAsync();

        // A cancelled task, as from any asynchronous method, not an exception thrown by the call itself.
        var abandoned = Batch(writer, "CODE-A", cancellationToken: giveUp.Token);

        Assert.True(abandoned.IsCanceled);
        AssertGranted(await Within(Batch(writer, "CODE-B")), "CODE-B", claims: 1);
        Assert.Equal([[("CODE-B", 1)]], Groups());
    }

    [Fact]
    public async Task Outcome_stands_when_the_caller_cancels_after_its_batch_joined_a_group()
    {
        var writer = Create();
        using var giveUp = new CancellationTokenSource();
        var (batch, gate) = await HoldGroupAsync(writer, "CODE-A", claims: 2, giveUp.Token);

        await giveUp.CancelAsync();
        Assert.False(batch.IsCompleted);
        gate.SetResult();

        AssertGranted(await Within(batch), "CODE-A", claims: 2);
        Assert.Equal(2, _statements.UsageOf("CODE-A"));
    }

    [Fact]
    public async Task No_more_than_GroupedTransactions_groups_run_at_once_when_more_batches_wait()
    {
        var writer = Create(groupedTransactions: 3);
        var (a, gateA) = await HoldGroupAsync(writer, "CODE-A");
        var (b, gateB) = await HoldGroupAsync(writer, "CODE-B");
        var (c, gateC) = await HoldGroupAsync(writer, "CODE-C");

        var d = Batch(writer, "CODE-D");
        var e = Batch(writer, "CODE-E");
        Assert.Equal(3, _statements.GroupCalls.Count);
        Assert.Equal(3, _statements.MostGroupsInFlight);

        gateB.SetResult();
        await Within(Task.WhenAll(b, d, e));
        Assert.Equal([("CODE-D", 1), ("CODE-E", 1)], Groups()[3]);
        gateA.SetResult();
        gateC.SetResult();
        await Within(Task.WhenAll(a, c));

        Assert.Equal(4, _statements.GroupCalls.Count);
        Assert.Equal(3, _statements.MostGroupsInFlight);
    }

    [Fact]
    public async Task Every_batch_is_answered_once_within_the_limits_when_many_codes_claim_in_parallel()
    {
        const int GroupedTransactions = 2;
        const int MaxCodes = 4;
        var writer = Create(groupedTransactions: GroupedTransactions, maxCodesPerTransaction: MaxCodes);
        var codes = Enumerable.Range(1, 200).Select(i => $"CODE-{i}").ToArray();
        var batches = new Task<Result<SeatGrant>[]?>[codes.Length];

        Parallel.For(0, codes.Length, i => batches[i] = Batch(writer, codes[i], claims: 1 + (i % 3)));
        var outcomes = await Within(Task.WhenAll(batches));

        for (var i = 0; i < codes.Length; i++)
        {
            AssertGranted(outcomes[i], codes[i], claims: 1 + (i % 3));
        }

        var groups = _statements.GroupCalls;
        Assert.All(groups, g => Assert.InRange(g.Length, 1, MaxCodes));
        Assert.All(groups, g => Assert.Equal(g.Length, g.Select(p => p.Code).Distinct().Count()));
        Assert.Equal(codes.Order(StringComparer.Ordinal), groups.SelectMany(g => g).Select(p => p.Code).Order(StringComparer.Ordinal));
        Assert.InRange(_statements.MostGroupsInFlight, 1, GroupedTransactions);
    }

    [Fact]
    public async Task Batch_still_waiting_for_a_slot_at_its_deadline_comes_back_null_without_being_sent()
    {
        var writer = Create(groupedTransactions: 1);
        var (held, gate) = await HoldGroupAsync(writer, "CODE-A");
        var late = Batch(writer, "CODE-B");
        var onTime = writer.TryGrantAsync("CODE-C", new string?[1], _clock.GetUtcNow() + (Deadline * 3), CancellationToken.None);

        _clock.Advance(Deadline * 2);
        gate.SetResult();
        AssertGranted(await Within(held), "CODE-A", 1);

        Assert.Null(await Within(late));
        AssertGranted(await Within(onTime), "CODE-C", 1);
        Assert.DoesNotContain(Groups(), g => g.Any(p => p.Code == "CODE-B"));
    }
}
