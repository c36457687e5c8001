using Capacity.Application.Common.Metrics;
using Capacity.Application.AccessCodes;
using Capacity.Application.Common.Behaviors;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using FluentValidation;
using FluentValidation.Results;
using Mediator;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace Capacity.UnitTests.Common.Behaviors;

public sealed class TimingBehaviorTests
{
    private const string ProbeName = "TimingBehaviorTests.Probe";

    private readonly FakeTimeProvider _clock = new();

    private static IReadOnlyDictionary<string, object?> Single(MeasurementRecorder<double> recorder) =>
        Assert.Single(recorder.Measurements).Tags;

    [Fact]
    public async Task Duration_is_recorded_with_nested_request_name_and_success_when_result_succeeds()
    {
        using var durations = new MeasurementRecorder<double>("capacity.request.duration", "ClaimSeat.Command");
        var behavior = new TimingBehavior<ClaimSeat.Command, Result<ClaimSeat.Response>>(_clock, new OperationMonitor());

        await behavior.Handle(new ClaimSeat.Command("ABC"), (_, _) =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(250));
            return ValueTask.FromResult<Result<ClaimSeat.Response>>(
                new ClaimSeat.Response(Guid.NewGuid(), "ABC", 1, 9, Resumed: false));
        }, CancellationToken.None);

        var measurement = Assert.Single(durations.Measurements);
        Assert.Equal(0.25, measurement.Value);
        Assert.Equal("ClaimSeat.Command", measurement.Tags["request"]);
        Assert.Equal("success", measurement.Tags["outcome"]);
    }

    [Fact]
    public async Task Outcome_is_the_error_code_when_result_failed()
    {
        using var durations = new MeasurementRecorder<double>("capacity.request.duration", ProbeName);
        var behavior = new TimingBehavior<Probe, Result<string>>(_clock, new OperationMonitor());

        var response = await behavior.Handle(
            new Probe(), (_, _) => ValueTask.FromResult<Result<string>>(AccessCodeErrors.Full("ABC", 3)), CancellationToken.None);

        Assert.Equal("access-code-full", response.Error?.Code);
        Assert.Equal("access-code-full", Single(durations)["outcome"]);
    }

    [Fact]
    public async Task Outcome_is_success_when_response_is_not_a_result()
    {
        using var durations = new MeasurementRecorder<double>("capacity.request.duration", "TimingBehaviorTests.PlainProbe");
        var behavior = new TimingBehavior<PlainProbe, int>(_clock, new OperationMonitor());

        Assert.Equal(3, await behavior.Handle(new PlainProbe(), (_, _) => ValueTask.FromResult(3), CancellationToken.None));

        Assert.Equal("success", Single(durations)["outcome"]);
    }

    [Fact]
    public async Task Outcome_is_invalid_and_exception_rethrown_when_validation_fails()
    {
        using var durations = new MeasurementRecorder<double>("capacity.request.duration", ProbeName);
        var behavior = new TimingBehavior<Probe, Result<string>>(_clock, new OperationMonitor());
        var invalid = new ValidationException([new ValidationFailure("Code", "bad")]);

        var thrown = await Assert.ThrowsAsync<ValidationException>(() =>
            behavior.Handle(new Probe(), (_, _) => throw invalid, CancellationToken.None).AsTask());

        Assert.Same(invalid, thrown);
        Assert.Equal("invalid", Single(durations)["outcome"]);
    }

    [Fact]
    public async Task Outcome_is_circuit_open_when_breaker_refuses()
    {
        using var durations = new MeasurementRecorder<double>("capacity.request.duration", ProbeName);
        var behavior = new TimingBehavior<Probe, Result<string>>(_clock, new OperationMonitor());

        await Assert.ThrowsAsync<BrokenCircuitException>(() =>
            behavior.Handle(new Probe(), (_, _) => throw new BrokenCircuitException(), CancellationToken.None).AsTask());

        Assert.Equal("circuit-open", Single(durations)["outcome"]);
    }

    [Fact]
    public async Task Outcome_is_exception_and_duration_still_recorded_when_handler_throws()
    {
        using var durations = new MeasurementRecorder<double>("capacity.request.duration", ProbeName);
        var behavior = new TimingBehavior<Probe, Result<string>>(_clock, new OperationMonitor());

        await Assert.ThrowsAsync<TimeoutException>(async () => await behavior.Handle(new Probe(), async (_, _) =>
        {
            await Task.Yield();
            _clock.Advance(TimeSpan.FromSeconds(2));
            throw new TimeoutException();
        }, CancellationToken.None));

        var measurement = Assert.Single(durations.Measurements);
        Assert.Equal(2.0, measurement.Value);
        Assert.Equal("exception", measurement.Tags["outcome"]);
    }

    [Fact]
    public async Task In_flight_goes_up_during_the_request_and_back_down_after()
    {
        using var inFlight = new MeasurementRecorder<long>("capacity.request.in_flight", "TimingBehaviorTests.InFlightProbe");
        var behavior = new TimingBehavior<InFlightProbe, int>(_clock, new OperationMonitor());
        long duringRequest = 0;

        await behavior.Handle(new InFlightProbe(), (_, _) =>
        {
            duringRequest = inFlight.Measurements.Sum(m => m.Value);
            return ValueTask.FromResult(1);
        }, CancellationToken.None);

        Assert.Equal(1, duringRequest);
        Assert.Equal(0, inFlight.Measurements.Sum(m => m.Value));
    }

    public sealed record Probe : ICommand<Result<string>>;

    public sealed record PlainProbe : IQuery<int>;

    public sealed record InFlightProbe : IQuery<int>;
}
