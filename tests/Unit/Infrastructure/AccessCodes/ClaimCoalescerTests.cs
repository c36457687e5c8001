using Capacity.Application.AccessCodes;
using Capacity.Domain.Common;
using Capacity.Infrastructure.AccessCodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Capacity.UnitTests.Infrastructure.AccessCodes;

public sealed class ClaimCoalescerTests
{
    private const string Code = "HOT-CODE";
    private const int LockAttempts = 3;
    private const int RetryAfterSeconds = 7;

    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(10);

    // The backoff never exceeds InitialBackoff * 2^(LockAttempts - 1): advancing by this fires any pending one.
    private static readonly TimeSpan LongestBackoff = InitialBackoff * 4;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    // Real time, only so that a broken coalescer fails the test instead of hanging it; never waited out when green.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private readonly TimerWatchingTimeProvider _clock = new(new DateTimeOffset(2030, 1, 15, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeClaimBatchWriter _writer = new();
    private readonly ClaimCoalescer _coalescer;

    public ClaimCoalescerTests() => _coalescer = Create();

    private ClaimCoalescer Create(int maxBatchSize = 1000) => new(
        _writer,
        Options.Create(new ClaimOptions
        {
            LockAttempts = LockAttempts,
            MaxBatchSize = maxBatchSize,
            InitialBackoff = InitialBackoff,
            Deadline = Deadline,
            RetryAfterSeconds = RetryAfterSeconds,
        }),
        _clock,
        NullLogger<ClaimCoalescer>.Instance);

    private Task<Result<SeatGrant>> Claim(string clientRef, string code = Code) =>
        _coalescer.ClaimAsync(code, clientRef, CancellationToken.None);

    private static string[] Clients(string prefix, int count) =>
        Enumerable.Range(1, count).Select(i => $"{prefix}-{i}").ToArray();

    private static Task<T> Within<T>(Task<T> task) => task.WaitAsync(Patience);

    private static Task Within(Task task) => task.WaitAsync(Patience);

    /// <summary>Holds the first transaction of the code in flight with one claim, so that later claims queue behind it.</summary>
    private async Task<(Task<Result<SeatGrant>> First, TaskCompletionSource Gate)> HoldFirstTransactionAsync(
        string code = Code, string clientRef = "first")
    {
        var gate = _writer.HoldCall(code);
        var first = Claim(clientRef, code);
        await Within(_writer.WaitForCallsAsync(code, 1));
        return (first, gate);
    }

    /// <summary>Lets the drain loop's backoff (the n-th timer of the test) run out.</summary>
    private async Task RunOutBackoffAsync(int timer)
    {
        await Within(_clock.WaitForTimersAsync(timer));
        _clock.Advance(LongestBackoff);
    }

    private void AssertIdleSoon() =>
        Assert.True(SpinWait.SpinUntil(() => _coalescer.ActiveCodes == 0, Patience), "The queue of the code was not removed.");

    [Fact]
    public async Task Claims_join_one_next_transaction_when_they_arrive_while_one_is_in_flight()
    {
        var (first, gate) = await HoldFirstTransactionAsync();
        var queuedRefs = Clients("queued", 50);
        var queued = queuedRefs.Select(r => Claim(r)).ToArray();

        Assert.DoesNotContain(queued, t => t.IsCompleted);
        gate.SetResult();
        var results = await Within(Task.WhenAll([first, .. queued]));

        var calls = _writer.CallsOf(Code);
        Assert.Equal(2, calls.Count);
        Assert.Equal(["first"], calls[0].ClientRefs);
        Assert.Equal(queuedRefs, calls[1].ClientRefs);
        string[] callers = ["first", .. queuedRefs];
        for (var i = 0; i < results.Length; i++)
        {
            Assert.True(results[i].IsSuccess);
            Assert.Equal(i + 1, results[i].Value!.UsageCount);
            Assert.Equal(callers[i], _writer.ClientRefOf(results[i].Value!.SessionId));
        }
    }

    [Fact]
    public async Task Only_capacity_is_granted_and_the_rest_is_full_when_more_claims_arrive_than_seats()
    {
        _writer.SetCapacity(Code, 30);
        var (first, gate) = await HoldFirstTransactionAsync();
        var others = new Task<Result<SeatGrant>>[99];

        // Enqueued from many threads at once; Parallel.For returns once every claim is queued.
        Parallel.For(0, others.Length, i => others[i] = Claim($"client-{i}"));
        gate.SetResult();
        var results = await Within(Task.WhenAll([first, .. others]));

        var granted = results.Where(r => r.IsSuccess).Select(r => r.Value!).ToArray();
        var refused = results.Where(r => !r.IsSuccess).Select(r => r.Error!).ToArray();
        Assert.Equal(30, granted.Length);
        Assert.Equal(Enumerable.Range(1, 30), granted.Select(g => g.UsageCount).Order());
        Assert.Equal(30, granted.Select(g => g.SessionId).Distinct().Count());
        Assert.Equal(70, refused.Length);
        Assert.All(refused, e => Assert.Equal("access-code-full", e.Code));
        Assert.Equal(30, _writer.UsageOf(Code));
        Assert.Equal([1, 99], _writer.CallsOf(Code).Select(c => c.ClientRefs.Count));
    }

    [Fact]
    public async Task Claim_of_another_code_is_granted_when_a_transaction_of_one_code_is_in_flight()
    {
        var (blocked, gate) = await HoldFirstTransactionAsync("CODE-A", "a");

        var other = await Within(Claim("b", "CODE-B"));

        Assert.True(other.IsSuccess);
        Assert.False(blocked.IsCompleted);
        gate.SetResult();
        Assert.True((await Within(blocked)).IsSuccess);
    }

    [Fact]
    public async Task Batch_is_retried_with_the_claims_that_arrived_meanwhile_when_another_instance_holds_the_lock()
    {
        var refused = _writer.HoldCall(Code, thenRefuseLock: true);
        _writer.RefuseLock(Code, times: 1);
        var first = Claim("c1");
        await Within(_writer.WaitForCallsAsync(Code, 1));
        var second = Claim("c2");
        refused.SetResult();

        // Each later claim arrives once the refused batch is back in the queue and its backoff has started.
        await Within(_clock.WaitForTimersAsync(1));
        var third = Claim("c3");
        await RunOutBackoffAsync(timer: 1);
        await Within(_clock.WaitForTimersAsync(2));
        var fourth = Claim("c4");
        Assert.False(first.IsCompleted || second.IsCompleted || third.IsCompleted);
        await RunOutBackoffAsync(timer: 2);
        var results = await Within(Task.WhenAll(first, second, third, fourth));

        string?[][] expected = [["c1"], ["c1", "c2", "c3"], ["c1", "c2", "c3", "c4"]];
        Assert.Equal(expected, _writer.CallsOf(Code).Select(c => c.ClientRefs.ToArray()));
        Assert.All(results, r => Assert.True(r.IsSuccess));
        Assert.Equal([1, 2, 3, 4], results.Select(r => r.Value!.UsageCount));
    }

    [Fact]
    public async Task Claim_is_retried_not_busy_when_the_lock_is_still_held_just_before_its_deadline()
    {
        _writer.RefuseLock(Code, times: 1);
        var claim = Claim("patient");
        await Within(_clock.WaitForTimersAsync(1));

        _clock.Advance(Deadline - TimeSpan.FromMilliseconds(1));
        await Within(_writer.WaitForCallsAsync(Code, 2));
        var result = await Within(claim);

        Assert.True(result.IsSuccess);
        Assert.Equal(["patient"], _writer.CallsOf(Code)[1].ClientRefs);
    }

    [Fact]
    public async Task Claim_is_answered_busy_when_its_deadline_passes_while_the_lock_stays_held()
    {
        _writer.RefuseLock(Code, times: int.MaxValue);
        var claim = Claim("unlucky");
        await Within(_clock.WaitForTimersAsync(1));
        _clock.Advance(Deadline - TimeSpan.FromMilliseconds(1));
        await Within(_writer.WaitForCallsAsync(Code, 2));
        Assert.False(claim.IsCompleted);

        await RunOutBackoffAsync(timer: 2);
        var result = await Within(claim);

        Assert.False(result.IsSuccess);
        Assert.Equal("access-code-busy", result.Error.Code);
        Assert.Equal(ErrorKind.Busy, result.Error.Kind);
        Assert.Equal(RetryAfterSeconds, result.Error.RetryAfterSeconds);
        Assert.Equal(2, _writer.CallsOf(Code).Count);
        AssertIdleSoon();
    }

    [Fact]
    public async Task Claim_is_cancelled_and_never_sent_when_its_caller_cancels_before_it_joins_a_transaction()
    {
        var (first, gate) = await HoldFirstTransactionAsync();
        using var giveUp = new CancellationTokenSource();
        var abandoned = _coalescer.ClaimAsync(Code, "gives-up", giveUp.Token);
        var kept = Claim("keeps-waiting");

        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Within(abandoned));
        gate.SetResult();
        var results = await Within(Task.WhenAll(first, kept));

        Assert.True(abandoned.IsCanceled);
        Assert.True(results[1].IsSuccess);
        Assert.Equal(2, results[1].Value!.UsageCount);
        Assert.Equal(
            [["first"], ["keeps-waiting"]],
            _writer.CallsOf(Code).Select(c => c.ClientRefs.ToArray()));
    }

    [Fact]
    public async Task Outcome_stands_when_the_caller_cancels_while_its_claim_is_in_flight()
    {
        var gate = _writer.HoldCall(Code);
        using var giveUp = new CancellationTokenSource();
        var claim = _coalescer.ClaimAsync(Code, "in-flight", giveUp.Token);
        await Within(_writer.WaitForCallsAsync(Code, 1));

        await giveUp.CancelAsync();
        Assert.False(claim.IsCompleted);
        gate.SetResult();
        var result = await Within(claim);

        Assert.True(result.IsSuccess);
        Assert.Equal("in-flight", _writer.ClientRefOf(result.Value.SessionId));
        Assert.Equal(1, _writer.UsageOf(Code));
    }

    [Fact]
    public async Task Every_claim_of_the_batch_gets_the_exception_when_the_transaction_throws()
    {
        var failure = new TimeoutException("The database did not answer.");
        var (first, gate) = await HoldFirstTransactionAsync();
        _writer.FailCall(Code, failure);
        var batch = Clients("doomed", 3).Select(r => Claim(r)).ToArray();

        gate.SetResult();

        Assert.True((await Within(first)).IsSuccess);
        foreach (var claim in batch)
        {
            Assert.Same(failure, await Assert.ThrowsAsync<TimeoutException>(() => Within(claim)));
        }

        Assert.Equal(Clients("doomed", 3), _writer.CallsOf(Code)[1].ClientRefs);
    }

    [Fact]
    public async Task Claims_are_granted_again_when_a_transaction_has_thrown()
    {
        var failure = new TimeoutException("The database did not answer.");
        _writer.FailCall(Code, failure);
        await Assert.ThrowsAsync<TimeoutException>(() => Within(Claim("doomed")));

        var later = await Within(Claim("later"));

        Assert.True(later.IsSuccess);
        Assert.Equal(1, later.Value.UsageCount);
        Assert.Equal(2, _writer.CallsOf(Code).Count);
        AssertIdleSoon();
    }

    [Fact]
    public async Task Queue_of_a_code_is_removed_when_it_is_idle()
    {
        Assert.Equal(0, _coalescer.ActiveCodes);
        var (a, gateA) = await HoldFirstTransactionAsync("CODE-A", "a");
        Assert.Equal(1, _coalescer.ActiveCodes);
        var (b, gateB) = await HoldFirstTransactionAsync("CODE-B", "b");
        Assert.Equal(2, _coalescer.ActiveCodes);

        gateA.SetResult();
        gateB.SetResult();
        await Within(Task.WhenAll(a, b));
        AssertIdleSoon();

        Assert.True((await Within(Claim("a-again", "CODE-A"))).IsSuccess);
        AssertIdleSoon();
    }

    [Fact]
    public async Task Queue_of_a_code_is_removed_when_its_only_waiting_claim_is_cancelled()
    {
        var (first, gate) = await HoldFirstTransactionAsync();
        using var giveUp = new CancellationTokenSource();
        var abandoned = _coalescer.ClaimAsync(Code, "gives-up", giveUp.Token);
        await giveUp.CancelAsync();

        gate.SetResult();
        await Within(first);

        AssertIdleSoon();
        Assert.Single(_writer.CallsOf(Code));

        // Awaited: ClaimAsync's task turns cancelled only once its continuation has run on the pool.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Within(abandoned));
        Assert.True(abandoned.IsCanceled);
    }

    [Fact]
    public async Task Large_queue_is_split_into_transactions_of_MaxBatchSize_when_more_claims_wait()
    {
        var coalescer = Create(maxBatchSize: 10);
        var gate = _writer.HoldCall(Code);
        var first = coalescer.ClaimAsync(Code, "first", CancellationToken.None);
        await Within(_writer.WaitForCallsAsync(Code, 1));
        var queuedRefs = Clients("queued", 25);
        var queued = queuedRefs.Select(r => coalescer.ClaimAsync(Code, r, CancellationToken.None)).ToArray();

        gate.SetResult();
        var results = await Within(Task.WhenAll([first, .. queued]));

        var calls = _writer.CallsOf(Code);
        Assert.Equal([1, 10, 10, 5], calls.Select(c => c.ClientRefs.Count));
        Assert.Equal(queuedRefs, calls.Skip(1).SelectMany(c => c.ClientRefs));
        Assert.Equal(Enumerable.Range(1, 26), results.Select(r => r.Value!.UsageCount));
    }

    [Fact]
    public async Task Second_claim_of_a_client_resumes_the_same_seat_when_both_join_one_transaction()
    {
        var (first, gate) = await HoldFirstTransactionAsync();
        var claim = Claim("twice");
        var retry = Claim("twice");

        gate.SetResult();
        var results = await Within(Task.WhenAll(first, claim, retry));

        Assert.Equal(["twice", "twice"], _writer.CallsOf(Code)[1].ClientRefs);
        var granted = results[1].Value!;
        var resumed = results[2].Value!;
        Assert.False(granted.Resumed);
        Assert.True(resumed.Resumed);
        Assert.Equal(granted.SessionId, resumed.SessionId);
        Assert.Equal(2, _writer.UsageOf(Code));
    }

    [Fact]
    public async Task Every_claim_of_the_batch_is_answered_when_the_transaction_answers_fewer_outcomes_than_claims()
    {
        // DrainAsync promises that a bug in the drain loop never leaves callers waiting forever.
        var (first, gate) = await HoldFirstTransactionAsync();
        _writer.AnswerTooFewOutcomes(Code);
        var batch = Clients("broken", 2).Select(r => Claim(r)).ToArray();

        gate.SetResult();
        await Within(first);

        foreach (var claim in batch)
        {
            // A fixed coalescer answers at once; one second only bounds the wait for a caller left hanging.
            await Record.ExceptionAsync(() => claim.WaitAsync(TimeSpan.FromSeconds(1)));
            Assert.True(claim.IsCompleted, "A claim of the broken batch was left waiting.");
        }
    }
}
