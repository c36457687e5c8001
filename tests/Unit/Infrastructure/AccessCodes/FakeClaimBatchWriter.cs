using Capacity.Application.AccessCodes;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Capacity.Infrastructure.AccessCodes;

namespace Capacity.UnitTests.Infrastructure.AccessCodes;

/// <summary>
/// Stands in for the claim transaction. Records every call, and grants like <see cref="ClaimStatements"/>:
/// k = min(new claims, free seats), the rest full, and a client reference that already holds a session
/// (earlier or in the same batch) resumes it instead of taking a second seat. The answers of a code's next
/// calls can be planned, in call order: held until a gate is released, lock held by another instance (null),
/// or an exception. Unplanned calls grant at once.
/// </summary>
internal sealed class FakeClaimBatchWriter : IClaimBatchWriter
{
    private const int DefaultCapacity = 1000;

    private readonly Lock _sync = new();
    private readonly List<WriterCall> _calls = [];
    private readonly List<CallWaiter> _waiters = [];
    private readonly Dictionary<string, CodeState> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, string?> _owners = [];

    public IReadOnlyList<WriterCall> CallsOf(string code)
    {
        lock (_sync)
        {
            return _calls.Where(c => c.Code == code).ToArray();
        }
    }

    public void SetCapacity(string code, int maxUsageCount)
    {
        lock (_sync)
        {
            State(code).MaxUsageCount = maxUsageCount;
        }
    }

    public int UsageOf(string code)
    {
        lock (_sync)
        {
            return State(code).UsageCount;
        }
    }

    /// <summary>The client reference a granted session was opened for.</summary>
    public string? ClientRefOf(Guid sessionId)
    {
        lock (_sync)
        {
            return _owners[sessionId];
        }
    }

    /// <summary>
    /// The next planned call of <paramref name="code"/> waits, in flight, until the gate is completed; then it
    /// grants, or meets another instance's lock when <paramref name="thenRefuseLock"/>.
    /// </summary>
    public TaskCompletionSource HoldCall(string code, bool thenRefuseLock = false)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Plan(code, new PlannedAnswer(thenRefuseLock ? AnswerKind.LockHeld : AnswerKind.Grant, gate, null, 1));
        return gate;
    }

    /// <summary>The next <paramref name="times"/> planned calls of <paramref name="code"/> meet another instance's lock.</summary>
    public void RefuseLock(string code, int times) => Plan(code, new PlannedAnswer(AnswerKind.LockHeld, null, null, times));

    /// <summary>The next planned call of <paramref name="code"/> throws <paramref name="exception"/>.</summary>
    public void FailCall(string code, Exception exception) => Plan(code, new PlannedAnswer(AnswerKind.Throw, null, exception, 1));

    /// <summary>The next planned call of <paramref name="code"/> answers one outcome fewer than it has claims (a broken writer).</summary>
    public void AnswerTooFewOutcomes(string code) => Plan(code, new PlannedAnswer(AnswerKind.TooFew, null, null, 1));

    /// <summary>Completes once <paramref name="code"/> has seen <paramref name="count"/> calls (counted when a call starts).</summary>
    public Task WaitForCallsAsync(string code, int count)
    {
        lock (_sync)
        {
            if (_calls.Count(c => c.Code == code) >= count)
            {
                return Task.CompletedTask;
            }

            var waiter = new CallWaiter(code, count, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            _waiters.Add(waiter);
            return waiter.Reached.Task;
        }
    }

    public async Task<Result<SeatGrant>[]?> TryGrantAsync(
        string code, IReadOnlyList<string?> clientRefs, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        PlannedAnswer? answer;
        lock (_sync)
        {
            _calls.Add(new WriterCall(code, [.. clientRefs]));
            answer = NextAnswer(code);
            var calls = _calls.Count(c => c.Code == code);
            foreach (var waiter in _waiters.Where(w => w.Code == code && calls >= w.Count).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Reached.SetResult();
            }
        }

        if (answer?.Gate is { } gate)
        {
            await gate.Task;
        }

        switch (answer?.Kind)
        {
            case AnswerKind.LockHeld:
                return null;
            case AnswerKind.Throw:
                throw answer.Exception!;
            case AnswerKind.TooFew:
                return Grant(code, clientRefs)[..^1];
            default:
                return Grant(code, clientRefs);
        }
    }

    private Result<SeatGrant>[] Grant(string code, IReadOnlyList<string?> clientRefs)
    {
        lock (_sync)
        {
            var state = State(code);
            var results = new Result<SeatGrant>[clientRefs.Count];
            var resumed = new List<int>();
            for (var i = 0; i < clientRefs.Count; i++)
            {
                var clientRef = clientRefs[i];
                if (clientRef is not null && state.Open.ContainsKey(clientRef))
                {
                    resumed.Add(i);
                    continue;
                }

                if (state.UsageCount >= state.MaxUsageCount)
                {
                    results[i] = AccessCodeErrors.Full(code, state.MaxUsageCount);
                    continue;
                }

                state.UsageCount++;
                var sessionId = Guid.NewGuid();
                _owners[sessionId] = clientRef;
                if (clientRef is not null)
                {
                    state.Open[clientRef] = sessionId;
                }

                results[i] = new SeatGrant(sessionId, code, state.UsageCount, state.MaxUsageCount, Resumed: false);
            }

            foreach (var i in resumed)
            {
                results[i] = new SeatGrant(state.Open[clientRefs[i]!], code, state.UsageCount, state.MaxUsageCount, Resumed: true);
            }

            return results;
        }
    }

    private void Plan(string code, PlannedAnswer answer)
    {
        lock (_sync)
        {
            State(code).Plan.Enqueue(answer);
        }
    }

    private PlannedAnswer? NextAnswer(string code)
    {
        var plan = State(code).Plan;
        if (!plan.TryPeek(out var answer))
        {
            return null;
        }

        if (--answer.Remaining == 0)
        {
            plan.Dequeue();
        }

        return answer;
    }

    private CodeState State(string code)
    {
        if (!_codes.TryGetValue(code, out var state))
        {
            state = new CodeState();
            _codes[code] = state;
        }

        return state;
    }

    private enum AnswerKind
    {
        Grant,
        LockHeld,
        Throw,
        TooFew,
    }

    private sealed class PlannedAnswer(AnswerKind kind, TaskCompletionSource? gate, Exception? exception, int times)
    {
        public AnswerKind Kind { get; } = kind;

        public TaskCompletionSource? Gate { get; } = gate;

        public Exception? Exception { get; } = exception;

        public int Remaining { get; set; } = times;
    }

    private sealed class CodeState
    {
        public int MaxUsageCount { get; set; } = DefaultCapacity;

        public int UsageCount { get; set; }

        public Dictionary<string, Guid> Open { get; } = new(StringComparer.Ordinal);

        public Queue<PlannedAnswer> Plan { get; } = new();
    }

    private sealed record CallWaiter(string Code, int Count, TaskCompletionSource Reached);
}

/// <summary>One call of the claim transaction: the code and the batch's client references, in order.</summary>
internal sealed record WriterCall(string Code, IReadOnlyList<string?> ClientRefs);
