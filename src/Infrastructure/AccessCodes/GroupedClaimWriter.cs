using Capacity.Application.AccessCodes;
using Capacity.Application.Common.Metrics;
using Capacity.Domain.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>
/// Group commit across codes: the coalescer hands over one batch per code; batches of different codes that
/// are ready while <see cref="ClaimOptions.GroupedTransactions"/> claim transactions are already running wait
/// here and share the next transaction (up to <see cref="ClaimOptions.MaxCodesPerTransaction"/> codes and
/// <see cref="ClaimOptions.MaxBatchSize"/> claims), so claims spread over many codes are not bounded by one
/// commit per claim either. Self-clocking like the per-code queue: when a transaction slot is free a batch
/// starts at once, alone; under load the groups grow. A batch whose code row another transaction holds gets
/// null, as from a one-code transaction, and its code's queue backs off and retries.
/// Batches with client references (idempotent claims) run as one-code transactions, outside the groups.
/// A batch still waiting when its earliest deadline passes comes back null (nothing changed), so its claims
/// are answered busy within one transaction's length of their deadline, however long the queue.
/// </summary>
internal sealed partial class GroupedClaimWriter(
    IClaimStatements statements,
    IOptions<ClaimOptions> options,
    TimeProvider clock,
    ILogger<GroupedClaimWriter> logger) : IClaimBatchWriter
{
    private readonly ClaimOptions _options = options.Value;
    private readonly List<Part> _waiting = [];
    private readonly Lock _sync = new();
    private int _running;

    public Task<Result<SeatGrant>[]?> TryGrantAsync(
        string code, IReadOnlyList<string?> clientRefs, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        if (_options.MaxCodesPerTransaction == 1 || clientRefs.Count == 0 || clientRefs.Any(r => r is not null))
        {
            return statements.TryGrantAsync(code, clientRefs, deadline, cancellationToken);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // Cancellation is reported through the task, as by any asynchronous method, not thrown from the call.
            return Task.FromCanceled<Result<SeatGrant>[]?>(cancellationToken);
        }

        var part = new Part(new CodeClaims(code, clientRefs.Count), deadline);
        bool start;
        lock (_sync)
        {
            _waiting.Add(part);
            start = _running < _options.GroupedTransactions;
            if (start)
            {
                _running++;
            }
        }

        if (start)
        {
            _ = Task.Run(RunGroupsAsync, CancellationToken.None);
        }

        if (cancellationToken.CanBeCanceled)
        {
            // A part that has not joined a transaction yet leaves without a trace; once it has, its outcome stands.
            var registration = cancellationToken.Register(static state => ((Part)state!).TryCancel(), part);
            _ = part.Completion.Task.ContinueWith(
                static (_, state) => ((CancellationTokenRegistration)state!).Dispose(),
                registration,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return part.Completion.Task;
    }

    /// <summary>One transaction slot: runs groups until nothing waits, then frees the slot.</summary>
    private async Task RunGroupsAsync()
    {
        try
        {
            while (TakeGroup() is { } group)
            {
                await RunGroupAsync(group);
            }
        }
        catch (Exception e)
        {
            // Only a bug gets here (TakeGroup threw): no caller may wait forever, so everything waiting fails
            // (its claims answer 503) and the slot is freed; the next batch starts afresh.
            LogWriterFailed(logger, e);
            List<Part> waiting;
            lock (_sync)
            {
                _running--;
                waiting = [.. _waiting];
                _waiting.Clear();
            }

            waiting.ForEach(p => p.Completion.TrySetException(e));
        }
    }

    /// <summary>Runs one grouped transaction and answers every part of it, whatever happens.</summary>
    private async Task RunGroupAsync(List<Part> group)
    {
        try
        {
            var outcomes = await statements.TryGrantGroupAsync(group.ConvertAll(p => p.Claims), CancellationToken.None);
            if (outcomes.Length != group.Count)
            {
                throw new InvalidOperationException(
                    $"The grouped claim transaction answered {outcomes.Length} parts of {group.Count}.");
            }

            var answered = 0;
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Completion.TrySetResult(outcomes[i]);
                answered += outcomes[i] is null ? 0 : 1;
            }

            if (answered > 0)
            {
                ClaimMetrics.ClaimTransactionCodes.Record(answered);
            }
        }
        catch (Exception e)
        {
            // The database failed (or is down): every batch of the group sees the same exception, as a
            // one-code transaction's batch would.
            group.ForEach(p => p.Completion.TrySetException(e));
            LogGroupFailed(logger, e, group.Count);
        }
    }

    /// <summary>
    /// Takes the waiting parts in arrival order, each code once, up to the limits (the first part always);
    /// null, and the slot freed, when none waits.
    /// </summary>
    private List<Part>? TakeGroup()
    {
        var now = clock.GetUtcNow();
        lock (_sync)
        {
            List<Part>? group = null;
            HashSet<string>? codes = null;
            var claims = 0;
            var kept = 0;
            for (var i = 0; i < _waiting.Count; i++)
            {
                var part = _waiting[i];
                var full = group is not null
                    && (group.Count == _options.MaxCodesPerTransaction || claims + part.Claims.Claims > _options.MaxBatchSize);
                if (full || (codes is not null && codes.Contains(part.Claims.Code)))
                {
                    // Left for a later group: over the limits, or a second batch of a code already in this group.
                    _waiting[kept++] = part;
                    continue;
                }

                if (!part.TryTake())
                {
                    continue; // cancelled while waiting
                }

                if (part.Deadline <= now)
                {
                    // Its claims' deadline passed while it waited for a slot: nothing changed, the caller answers busy.
                    part.Completion.TrySetResult(null);
                    continue;
                }

                group ??= [];
                codes ??= new HashSet<string>(StringComparer.Ordinal);
                group.Add(part);
                codes.Add(part.Claims.Code);
                claims += part.Claims.Claims;
            }

            _waiting.RemoveRange(kept, _waiting.Count - kept);
            if (group is null)
            {
                _running--;
            }

            return group;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A grouped claim transaction slot stopped unexpectedly.")]
    private static partial void LogWriterFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A grouped claim transaction of {Codes} codes failed.")]
    private static partial void LogGroupFailed(ILogger logger, Exception exception, int codes);

    /// <summary>One code's batch waiting for a transaction. State: 0 waiting, 1 in a transaction, 2 cancelled.</summary>
    private sealed class Part(CodeClaims claims, DateTimeOffset deadline)
    {
        private int _state;

        public CodeClaims Claims { get; } = claims;

        /// <summary>The earliest deadline of the part's claims: it does not wait for a slot past it.</summary>
        public DateTimeOffset Deadline { get; } = deadline;

        public TaskCompletionSource<Result<SeatGrant>[]?> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryTake() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public void TryCancel()
        {
            if (Interlocked.CompareExchange(ref _state, 2, 0) == 0)
            {
                Completion.TrySetCanceled();
            }
        }
    }
}
