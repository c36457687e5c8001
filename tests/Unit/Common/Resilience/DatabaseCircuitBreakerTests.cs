using Capacity.Application.Common.Resilience;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace Capacity.UnitTests.Common.Resilience;

public sealed class DatabaseCircuitBreakerTests
{
    private static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 15, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeDatabaseFaults _faults = new();
    private readonly DatabaseCircuitBreaker _breaker;
    private int _calls;

    public DatabaseCircuitBreakerTests() => _breaker = Create(_clock, _faults);

    internal static DatabaseCircuitBreaker Create(TimeProvider clock, IDatabaseFaults faults) => new(
        Options.Create(new CircuitBreakerOptions
        {
            MinimumThroughput = 2,
            FailureRatio = 0.5,
            SamplingDuration = TimeSpan.FromSeconds(10),
            BreakDuration = BreakDuration,
        }),
        faults,
        clock,
        NullLogger<DatabaseCircuitBreaker>.Instance);

    private ValueTask<int> Run(Func<int> action) =>
        _breaker.ExecuteAsync(_ =>
        {
            _calls++;
            return ValueTask.FromResult(action());
        }, CancellationToken.None);

    private async Task FailWith(Exception exception)
    {
        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => Run(() => throw exception).AsTask());
        Assert.Same(exception, thrown);
    }

    private async Task Open()
    {
        await FailWith(new TimeoutException());
        await FailWith(new TimeoutException());
        Assert.Equal(CircuitState.Open, _breaker.State);
    }

    [Fact]
    public async Task Result_of_the_action_is_returned_when_circuit_is_closed()
    {
        Assert.Equal(7, await Run(() => 7));

        Assert.Equal(1, _calls);
        Assert.Equal(CircuitState.Closed, _breaker.State);
    }

    [Fact]
    public async Task Circuit_opens_when_the_database_is_unavailable_repeatedly()
    {
        await FailWith(new TimeoutException());
        Assert.Equal(CircuitState.Closed, _breaker.State);

        await FailWith(new TimeoutException());

        Assert.Equal(CircuitState.Open, _breaker.State);
    }

    [Fact]
    public async Task Calls_fail_fast_without_running_the_action_when_circuit_is_open()
    {
        await Open();
        var callsWhenOpened = _calls;

        var error = await Assert.ThrowsAsync<BrokenCircuitException>(() => Run(() => 1).AsTask());

        Assert.Equal(callsWhenOpened, _calls);
        Assert.IsType<TimeoutException>(error.InnerException);
    }

    [Fact]
    public async Task RetryAfter_is_the_remaining_break_when_circuit_is_open()
    {
        await Open();
        _clock.Advance(TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<BrokenCircuitException>(() => Run(() => 1).AsTask());

        Assert.Equal(TimeSpan.FromSeconds(3), error.RetryAfter);
    }

    [Fact]
    public async Task Connections_are_reset_once_when_circuit_opens()
    {
        await FailWith(new TimeoutException());
        Assert.Equal(0, _faults.Resets);

        await FailWith(new TimeoutException());
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Run(() => 1).AsTask());

        Assert.Equal(1, _faults.Resets);
    }

    [Fact]
    public async Task Circuit_stays_closed_when_failures_are_not_unavailability()
    {
        for (var i = 0; i < 10; i++)
        {
            await FailWith(new InvalidOperationException("lock busy"));
        }

        Assert.Equal(CircuitState.Closed, _breaker.State);
        Assert.Equal(0, _faults.Resets);
        Assert.Equal(3, await Run(() => 3));
        Assert.Equal(11, _calls);
    }

    [Fact]
    public async Task Circuit_stays_closed_when_unavailability_is_below_the_failure_ratio()
    {
        // Three successes and two timeouts: 40 % failed, under the 50 % ratio.
        await Run(() => 1);
        await Run(() => 1);
        await Run(() => 1);
        await FailWith(new TimeoutException());
        await FailWith(new TimeoutException());

        Assert.Equal(CircuitState.Closed, _breaker.State);
    }

    [Fact]
    public async Task Circuit_stays_closed_when_failures_are_further_apart_than_the_sampling_duration()
    {
        await FailWith(new TimeoutException());
        _clock.Advance(TimeSpan.FromSeconds(11));

        await FailWith(new TimeoutException());

        Assert.Equal(CircuitState.Closed, _breaker.State);
    }

    [Fact]
    public async Task Circuit_stays_open_when_break_duration_has_not_passed()
    {
        await Open();
        _clock.Advance(BreakDuration - TimeSpan.FromMilliseconds(1));

        await Assert.ThrowsAsync<BrokenCircuitException>(() => Run(() => 1).AsTask());

        Assert.Equal(CircuitState.Open, _breaker.State);
        Assert.Equal(2, _calls);
    }

    [Fact]
    public async Task Next_call_is_a_half_open_probe_when_break_duration_has_passed()
    {
        await Open();
        _clock.Advance(BreakDuration);

        var stateDuringProbe = CircuitState.Closed;
        await Run(() =>
        {
            stateDuringProbe = _breaker.State;
            return 1;
        });

        Assert.Equal(CircuitState.HalfOpen, stateDuringProbe);
        Assert.Equal(3, _calls);
    }

    [Fact]
    public async Task Other_calls_fail_fast_while_the_half_open_probe_runs()
    {
        await Open();
        _clock.Advance(BreakDuration);
        var probe = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var probing = _breaker.ExecuteAsync(_ => new ValueTask<int>(probe.Task), CancellationToken.None).AsTask();

        await Assert.ThrowsAsync<BrokenCircuitException>(() => Run(() => 1).AsTask());

        probe.SetResult(1);
        Assert.Equal(1, await probing);
        Assert.Equal(CircuitState.Closed, _breaker.State);
    }

    [Fact]
    public async Task Circuit_closes_when_the_half_open_probe_succeeds()
    {
        await Open();
        _clock.Advance(BreakDuration);

        Assert.Equal(5, await Run(() => 5));

        Assert.Equal(CircuitState.Closed, _breaker.State);
        Assert.Equal(6, await Run(() => 6));
    }

    [Fact]
    public async Task Circuit_reopens_for_a_full_break_when_the_half_open_probe_fails()
    {
        await Open();
        _clock.Advance(BreakDuration);

        await FailWith(new TimeoutException());

        Assert.Equal(CircuitState.Open, _breaker.State);
        Assert.Equal(2, _faults.Resets);
        var error = await Assert.ThrowsAsync<BrokenCircuitException>(() => Run(() => 1).AsTask());
        Assert.Equal(BreakDuration, error.RetryAfter);
    }

    [Fact]
    public async Task Circuit_needs_a_full_sample_again_when_it_has_closed()
    {
        await Open();
        _clock.Advance(BreakDuration);
        await Run(() => 1);

        await FailWith(new TimeoutException());

        Assert.Equal(CircuitState.Closed, _breaker.State);
    }

    /// <summary>Classifies <see cref="TimeoutException"/> (and only it) as unavailability; counts resets.</summary>
    internal sealed class FakeDatabaseFaults : IDatabaseFaults
    {
        private int _resets;

        public int Resets => Volatile.Read(ref _resets);

        public bool IsUnavailable(Exception exception) => exception is TimeoutException;

        public bool IsRefusedText(Exception exception) => false;

        public void ResetConnections() => Interlocked.Increment(ref _resets);
    }
}
