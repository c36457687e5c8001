using Capacity.Infrastructure.AccessCodes;

namespace Capacity.UnitTests.Infrastructure.AccessCodes;

public sealed class CodeGatesTests
{
    // Long enough never to be reached by a test that passes; a broken gate fails on the IsCompleted checks.
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private readonly CodeGates _gates = new();

    private async Task<CodeGates.Turn> TurnOf(string code)
    {
        var turn = await _gates.WaitAsync(code, Long, CancellationToken.None);
        Assert.NotNull(turn);
        return turn;
    }

    [Fact]
    public async Task Turn_is_given_at_once_when_nobody_holds_the_code()
    {
        var waiting = _gates.WaitAsync("ABC", Long, CancellationToken.None);

        Assert.True(waiting.IsCompletedSuccessfully);
        using var turn = await waiting;
        Assert.NotNull(turn);
        Assert.Equal(1, _gates.Count);
    }

    [Fact]
    public async Task Second_waiter_gets_its_turn_only_when_the_first_turn_is_disposed()
    {
        var first = await TurnOf("ABC");

        var second = _gates.WaitAsync("ABC", Long, CancellationToken.None);
        Assert.False(second.IsCompleted);

        first.Dispose();
        using var secondTurn = await second.WaitAsync(Long);
        Assert.NotNull(secondTurn);
    }

    [Fact]
    public async Task Waiters_take_turns_one_at_a_time_when_several_wait()
    {
        var first = await TurnOf("ABC");
        var second = _gates.WaitAsync("ABC", Long, CancellationToken.None);
        var third = _gates.WaitAsync("ABC", Long, CancellationToken.None);

        first.Dispose();
        var next = await Task.WhenAny(second, third).WaitAsync(Long);
        var other = next == second ? third : second;
        Assert.False(other.IsCompleted);

        (await next)!.Dispose();
        using var last = await other.WaitAsync(Long);
        Assert.NotNull(last);
    }

    [Fact]
    public async Task Waiter_gets_null_when_the_turn_is_not_released_within_the_timeout()
    {
        using var held = await TurnOf("ABC");

        var turn = await _gates.WaitAsync("ABC", TimeSpan.FromMilliseconds(50), CancellationToken.None);

        Assert.Null(turn);
        Assert.Equal(1, _gates.Count);
    }

    [Fact]
    public async Task Waiter_gets_null_without_waiting_when_its_deadline_has_passed()
    {
        var turn = await _gates.WaitAsync("ABC", TimeSpan.Zero, CancellationToken.None);

        Assert.Null(turn);
        Assert.Equal(0, _gates.Count);
    }

    [Fact]
    public async Task Different_codes_do_not_block_each_other()
    {
        using var abc = await TurnOf("ABC");

        var other = _gates.WaitAsync("XYZ", Long, CancellationToken.None);

        Assert.True(other.IsCompletedSuccessfully);
        using var xyz = await other;
        Assert.NotNull(xyz);
        Assert.Equal(2, _gates.Count);
    }

    [Fact]
    public async Task Codes_are_told_apart_by_exact_text()
    {
        // Callers normalize first; the gate itself must not merge codes that differ.
        using var upper = await TurnOf("ABC");
        var lower = _gates.WaitAsync("abc", Long, CancellationToken.None);

        Assert.True(lower.IsCompletedSuccessfully);
        (await lower)!.Dispose();
    }

    [Fact]
    public async Task Gates_are_evicted_when_every_turn_is_disposed()
    {
        var first = await TurnOf("ABC");
        var second = _gates.WaitAsync("ABC", Long, CancellationToken.None);
        var other = await TurnOf("XYZ");
        Assert.Equal(2, _gates.Count);

        first.Dispose();
        (await second.WaitAsync(Long))!.Dispose();
        Assert.Equal(1, _gates.Count);

        other.Dispose();
        Assert.Equal(0, _gates.Count);
    }

    [Fact]
    public async Task Gate_is_evicted_when_a_waiter_timed_out_and_the_holder_left()
    {
        var held = await TurnOf("ABC");
        var timedOut = await _gates.WaitAsync("ABC", TimeSpan.FromMilliseconds(1), CancellationToken.None);
        Assert.Null(timedOut);

        held.Dispose();

        Assert.Equal(0, _gates.Count);
    }

    [Fact]
    public async Task Cancelled_waiter_throws_and_leaves_no_gate_behind()
    {
        var held = await TurnOf("ABC");
        using var cancellation = new CancellationTokenSource();
        var waiting = _gates.WaitAsync("ABC", Long, cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        held.Dispose();
        Assert.Equal(0, _gates.Count);
    }

    [Fact]
    public async Task Disposing_a_turn_twice_releases_it_once()
    {
        var first = await TurnOf("ABC");
        first.Dispose();
        first.Dispose();

        using var second = await TurnOf("ABC");
        using var cancellation = new CancellationTokenSource();
        var third = _gates.WaitAsync("ABC", Long, cancellation.Token);

        Assert.False(third.IsCompleted);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => third);
    }

    [Fact]
    public async Task New_gate_is_made_when_a_code_comes_back_after_eviction()
    {
        (await TurnOf("ABC")).Dispose();
        Assert.Equal(0, _gates.Count);

        using var again = await TurnOf("ABC");
        var waiting = _gates.WaitAsync("ABC", Long, CancellationToken.None);

        Assert.False(waiting.IsCompleted);
        again.Dispose();
        using var next = await waiting.WaitAsync(Long);
        Assert.NotNull(next);
    }
}
