using Capacity.Domain.Common;

namespace Capacity.UnitTests.Domain.Common;

public sealed class ResultTests
{
    private static readonly Error Gone = new("gone", "It is gone.", ErrorKind.Gone);

    [Fact]
    public void Result_is_a_success_holding_the_value_when_made_from_a_value()
    {
        Result<string> result = "seat";

        Assert.True(result.IsSuccess);
        Assert.Equal("seat", result.Value);
        Assert.Null(result.Error);
    }

    [Fact]
    public void Result_is_a_failure_holding_the_error_when_made_from_an_error()
    {
        Result<string> result = Gone;

        Assert.False(result.IsSuccess);
        Assert.Same(Gone, result.Error);
        Assert.Null(result.Value);
    }

    [Fact]
    public void Failure_of_a_value_type_does_not_throw_when_made_from_an_error()
    {
        var result = Record.Exception(() =>
        {
            Result<DateTimeOffset> failed = Gone;
            return failed;
        });

        Assert.Null(result);
    }

    [Fact]
    public void Failure_of_a_value_type_has_the_error_and_a_default_value_when_made_from_an_error()
    {
        Result<DateTimeOffset> result = Gone;

        Assert.False(result.IsSuccess);
        Assert.Same(Gone, result.Error);
        Assert.Equal(default, result.Value);
    }

    [Fact]
    public void Success_of_a_value_type_is_allowed_when_the_value_is_its_default()
    {
        Result<int> result = 0;

        Assert.True(result.IsSuccess);
        Assert.Equal(0, result.Value);
    }

    [Fact]
    public void Constructor_throws_when_a_success_has_no_value()
    {
        var error = Assert.Throws<ArgumentException>(() => new Result<string>(null, null));

        Assert.Equal("value", error.ParamName);
    }

    [Fact]
    public void Implicit_conversion_throws_when_the_value_is_null()
    {
        string? missing = null;

        Assert.Throws<ArgumentException>(() =>
        {
            Result<string> result = missing!;
            return result;
        });
    }

    [Fact]
    public void Value_is_dropped_when_both_value_and_error_are_given()
    {
        var result = new Result<string>("ignored", Gone);

        Assert.False(result.IsSuccess);
        Assert.Null(result.Value);
        Assert.Same(Gone, result.Error);
    }

    [Fact]
    public void Error_is_seen_through_IOutcome_when_code_does_not_know_the_payload_type()
    {
        IOutcome failed = (Result<int>)Gone;
        IOutcome succeeded = (Result<int>)5;

        Assert.Same(Gone, failed.Error);
        Assert.Null(succeeded.Error);
    }

    [Fact]
    public void Results_are_equal_when_value_and_error_are_equal()
    {
        Assert.Equal((Result<string>)"a", (Result<string>)"a");
        Assert.NotEqual((Result<string>)"a", (Result<string>)"b");
        Assert.Equal((Result<int>)Gone, (Result<int>)new Error("gone", "It is gone.", ErrorKind.Gone));
    }
}
