using Capacity.Application.AccessCodes;
using Capacity.Domain.Common;
using Capacity.Infrastructure.AccessCodes;

namespace Capacity.UnitTests.Infrastructure.AccessCodes;

/// <summary>
/// Stands in for the claim statements under <see cref="GroupedClaimWriter"/>. Records every one-code call and
/// every group call with its parts, in call order, and counts the group calls in flight at once. Grants every
/// claim (each code has room for all), except for codes whose row another transaction holds
/// (<see cref="HoldRow"/>): they are answered null and nothing changes for them. The next group or one-code
/// calls can be planned, in call order: held in flight until a gate is released, or throwing.
/// Group calls always finish asynchronously, as a real round trip does.
/// </summary>
internal sealed class FakeClaimStatements : IClaimStatements
{
    private const int MaxUsageCount = 1000;

    private readonly Lock _sync = new();
    private readonly List<WriterCall> _codeCalls = [];
    private readonly List<CodeClaims[]> _groupCalls = [];
    private readonly Queue<PlannedAnswer> _groupPlan = new();
    private readonly Queue<PlannedAnswer> _codePlan = new();
    private readonly List<CallWaiter> _waiters = [];
    private readonly HashSet<string> _heldRows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _usage = new(StringComparer.Ordinal);
    private int _groupsInFlight;
    private int _mostGroupsInFlight;

    public IReadOnlyList<WriterCall> CodeCalls
    {
        get
        {
            lock (_sync)
            {
                return [.. _codeCalls];
            }
        }
    }

    /// <summary>The parts of every group call, in call order (counted when a call starts).</summary>
    public IReadOnlyList<CodeClaims[]> GroupCalls
    {
        get
        {
            lock (_sync)
            {
                return [.. _groupCalls];
            }
        }
    }

    /// <summary>The most group calls that were in flight at the same time.</summary>
    public int MostGroupsInFlight
    {
        get
        {
            lock (_sync)
            {
                return _mostGroupsInFlight;
            }
        }
    }

    /// <summary>Seats granted on <paramref name="code"/> so far.</summary>
    public int UsageOf(string code)
    {
        lock (_sync)
        {
            return _usage.GetValueOrDefault(code);
        }
    }

    /// <summary>Another transaction holds the row of <paramref name="code"/>: every call answers null for it.</summary>
    public void HoldRow(string code)
    {
        lock (_sync)
        {
            _heldRows.Add(code);
        }
    }

    /// <summary>The next planned group call waits, in flight, until the gate is completed; then it answers.</summary>
    public TaskCompletionSource HoldGroupCall() => Hold(_groupPlan);

    /// <summary>The next planned one-code call waits, in flight, until the gate is completed; then it answers.</summary>
    public TaskCompletionSource HoldCodeCall() => Hold(_codePlan);

    /// <summary>The next planned group call throws <paramref name="exception"/>.</summary>
    public void FailGroupCall(Exception exception) => Plan(_groupPlan, new PlannedAnswer(null, exception, TooFew: false));

    /// <summary>The next planned group call answers one part fewer than it was given (a broken statement).</summary>
    public void AnswerTooFewParts() => Plan(_groupPlan, new PlannedAnswer(null, null, TooFew: true));

    /// <summary>Completes once <paramref name="count"/> group calls have started.</summary>
    public Task WaitForGroupCallsAsync(int count) => WaitForCallsAsync(grouped: true, count);

    /// <summary>Completes once <paramref name="count"/> one-code calls have started.</summary>
    public Task WaitForCodeCallsAsync(int count) => WaitForCallsAsync(grouped: false, count);

    public async Task<Result<SeatGrant>[]?> TryGrantAsync(
        string code, IReadOnlyList<string?> clientRefs, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        PlannedAnswer? answer;
        lock (_sync)
        {
            _codeCalls.Add(new WriterCall(code, [.. clientRefs]));
            answer = _codePlan.TryDequeue(out var planned) ? planned : null;
            SignalWaiters();
        }

        if (answer?.Gate is { } gate)
        {
            await gate.Task;
        }

        if (answer?.Exception is { } exception)
        {
            throw exception;
        }

        lock (_sync)
        {
            return Grant(code, clientRefs.Count);
        }
    }

    public async Task<Result<SeatGrant>[]?[]> TryGrantGroupAsync(IReadOnlyList<CodeClaims> parts, CancellationToken cancellationToken)
    {
        PlannedAnswer? answer;
        lock (_sync)
        {
            _groupCalls.Add([.. parts]);
            _groupsInFlight++;
            _mostGroupsInFlight = Math.Max(_mostGroupsInFlight, _groupsInFlight);
            answer = _groupPlan.TryDequeue(out var planned) ? planned : null;
            SignalWaiters();
        }

        try
        {
            await Task.Yield();
            if (answer?.Gate is { } gate)
            {
                await gate.Task;
            }

            if (answer?.Exception is { } exception)
            {
                throw exception;
            }

            lock (_sync)
            {
                var outcomes = parts.Select(p => Grant(p.Code, p.Claims)).ToArray();
                return answer?.TooFew == true ? outcomes[..^1] : outcomes;
            }
        }
        finally
        {
            lock (_sync)
            {
                _groupsInFlight--;
            }
        }
    }

    /// <summary>Under the lock: every claim gets the next seat of its code, or null when the code row is held.</summary>
    private Result<SeatGrant>[]? Grant(string code, int claims)
    {
        if (_heldRows.Contains(code))
        {
            return null;
        }

        var results = new Result<SeatGrant>[claims];
        var usage = _usage.GetValueOrDefault(code);
        for (var i = 0; i < claims; i++)
        {
            results[i] = new SeatGrant(Guid.NewGuid(), code, ++usage, MaxUsageCount, Resumed: false);
        }

        _usage[code] = usage;
        return results;
    }

    private TaskCompletionSource Hold(Queue<PlannedAnswer> plan)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Plan(plan, new PlannedAnswer(gate, null, TooFew: false));
        return gate;
    }

    private void Plan(Queue<PlannedAnswer> plan, PlannedAnswer answer)
    {
        lock (_sync)
        {
            plan.Enqueue(answer);
        }
    }

    private Task WaitForCallsAsync(bool grouped, int count)
    {
        lock (_sync)
        {
            if (Calls(grouped) >= count)
            {
                return Task.CompletedTask;
            }

            var waiter = new CallWaiter(grouped, count, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            _waiters.Add(waiter);
            return waiter.Reached.Task;
        }
    }

    private void SignalWaiters()
    {
        foreach (var waiter in _waiters.Where(w => Calls(w.Grouped) >= w.Count).ToList())
        {
            _waiters.Remove(waiter);
            waiter.Reached.SetResult();
        }
    }

    private int Calls(bool grouped) => grouped ? _groupCalls.Count : _codeCalls.Count;

    private sealed record PlannedAnswer(TaskCompletionSource? Gate, Exception? Exception, bool TooFew);

    private sealed record CallWaiter(bool Grouped, int Count, TaskCompletionSource Reached);
}
