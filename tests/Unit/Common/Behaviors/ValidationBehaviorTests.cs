using Capacity.Application.AccessCodes;
using Capacity.Application.Common.Behaviors;
using Capacity.Domain.Common;
using FluentValidation;
using Mediator;

namespace Capacity.UnitTests.Common.Behaviors;

public sealed class ValidationBehaviorTests
{
    private static readonly Result<ClaimSeat.Response> Granted =
        new ClaimSeat.Response(Guid.NewGuid(), "ABC", 1, 9, Resumed: false);

    private int _calls;

    private ValueTask<Result<ClaimSeat.Response>> Next(ClaimSeat.Command message, CancellationToken cancellationToken)
    {
        _calls++;
        return ValueTask.FromResult(Granted);
    }

    private static ValidationBehavior<ClaimSeat.Command, Result<ClaimSeat.Response>> Behavior(
        params IValidator<ClaimSeat.Command>[] validators) => new(validators);

    [Fact]
    public async Task Handler_is_not_called_when_message_is_invalid()
    {
        var behavior = Behavior(new ClaimSeat.Validator());

        var error = await Assert.ThrowsAsync<ValidationException>(() =>
            behavior.Handle(new ClaimSeat.Command("!", " "), Next, CancellationToken.None).AsTask());

        Assert.Equal(0, _calls);
        Assert.Contains(error.Errors, e => e.PropertyName == "Code");
        Assert.Contains(error.Errors, e => e.PropertyName == "ClientRef");
    }

    [Fact]
    public async Task Failures_of_every_validator_are_thrown_together_when_several_fail()
    {
        var extra = new InlineValidator<ClaimSeat.Command>();
        extra.RuleFor(c => c.ClientRef).NotEqual("banned").WithErrorCode("banned");
        var behavior = Behavior(new ClaimSeat.Validator(), extra);

        var error = await Assert.ThrowsAsync<ValidationException>(() =>
            behavior.Handle(new ClaimSeat.Command("AB", "banned"), Next, CancellationToken.None).AsTask());

        Assert.Equal(0, _calls);
        Assert.Contains(error.Errors, e => e.PropertyName == "Code");
        Assert.Contains(error.Errors, e => e.PropertyName == "ClientRef" && e.ErrorCode == "banned");
    }

    [Fact]
    public async Task Each_failure_is_thrown_once_when_several_validators_run()
    {
        var message = new ClaimSeat.Command("AB", "banned");
        var extra = new InlineValidator<ClaimSeat.Command>();
        extra.RuleFor(c => c.ClientRef).NotEqual("banned").WithErrorCode("banned");
        var expected = new ClaimSeat.Validator().Validate(message).Errors
            .Concat(extra.Validate(message).Errors)
            .Select(e => $"{e.PropertyName}:{e.ErrorCode}")
            .Order();
        var behavior = Behavior(new ClaimSeat.Validator(), extra);

        var error = await Assert.ThrowsAsync<ValidationException>(() =>
            behavior.Handle(message, Next, CancellationToken.None).AsTask());

        Assert.Equal(expected, error.Errors.Select(e => $"{e.PropertyName}:{e.ErrorCode}").Order());
    }

    [Fact]
    public async Task Handler_is_called_once_and_its_response_returned_when_message_is_valid()
    {
        var behavior = Behavior(new ClaimSeat.Validator());

        var response = await behavior.Handle(new ClaimSeat.Command("abc", "client-1"), Next, CancellationToken.None);

        Assert.Equal(1, _calls);
        Assert.Same(Granted, response);
    }

    [Fact]
    public async Task Handler_is_called_when_message_has_no_validator()
    {
        var behavior = new ValidationBehavior<Unvalidated, int>([]);

        var response = await behavior.Handle(new Unvalidated(), (_, _) => ValueTask.FromResult(42), CancellationToken.None);

        Assert.Equal(42, response);
    }

    [Fact]
    public async Task Message_and_token_are_passed_on_when_message_is_valid()
    {
        using var cancellation = new CancellationTokenSource();
        var message = new ClaimSeat.Command("ABC");
        ClaimSeat.Command? seen = null;
        CancellationToken seenToken = default;
        var behavior = Behavior(new ClaimSeat.Validator());

        await behavior.Handle(message, (m, ct) =>
        {
            (seen, seenToken) = (m, ct);
            return ValueTask.FromResult(Granted);
        }, cancellation.Token);

        Assert.Same(message, seen);
        Assert.Equal(cancellation.Token, seenToken);
    }

    public sealed record Unvalidated : ICommand<int>;
}
