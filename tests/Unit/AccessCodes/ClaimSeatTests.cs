using Capacity.Application.AccessCodes;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using FluentValidation.Results;

namespace Capacity.UnitTests.AccessCodes;

public sealed class ClaimSeatTests
{
    private static ValidationResult Validate(ClaimSeat.Command command) => new ClaimSeat.Validator().Validate(command);

    private static void AssertFailsOnlyOn(ValidationResult result, params string[] properties)
    {
        Assert.False(result.IsValid);
        Assert.Equal(properties.Order(), result.Errors.Select(e => e.PropertyName).Distinct().Order());
    }

    [Theory]
    [MemberData(nameof(AccessCodeCases.WellFormed), MemberType = typeof(AccessCodeCases))]
    public void Command_is_valid_when_code_is_well_formed_and_client_ref_omitted(string code)
    {
        Assert.True(Validate(new ClaimSeat.Command(code)).IsValid);
    }

    [Theory]
    [InlineData("c")]
    [InlineData("device 42 / tab 3")]
    [InlineData(" padded ")]
    public void Command_is_valid_when_client_ref_is_given(string clientRef)
    {
        Assert.True(Validate(new ClaimSeat.Command("ABC", clientRef)).IsValid);
    }

    [Fact]
    public void Command_is_valid_when_client_ref_is_exactly_128_characters()
    {
        Assert.True(Validate(new ClaimSeat.Command("ABC", new string('r', 128))).IsValid);
    }

    [Theory]
    [MemberData(nameof(AccessCodeCases.Malformed), MemberType = typeof(AccessCodeCases))]
    public void Code_is_invalid_when_malformed(string? code)
    {
        AssertFailsOnlyOn(Validate(new ClaimSeat.Command(code, "client-1")), "Code");
    }

    [Fact]
    public void Code_is_invalid_when_it_ends_with_a_line_feed()
    {
        AssertFailsOnlyOn(Validate(new ClaimSeat.Command("AB\n")), "Code");
    }

    [Fact]
    public void ClientRef_is_invalid_when_longer_than_128_characters()
    {
        AssertFailsOnlyOn(Validate(new ClaimSeat.Command("ABC", new string('r', 129))), "ClientRef");
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\n ")]
    public void ClientRef_is_invalid_when_blank(string clientRef)
    {
        AssertFailsOnlyOn(Validate(new ClaimSeat.Command("ABC", clientRef)), "ClientRef");
    }

    [Fact]
    public void Both_properties_are_reported_when_both_are_wrong()
    {
        AssertFailsOnlyOn(Validate(new ClaimSeat.Command("", " ")), "Code", "ClientRef");
    }

    [Fact]
    public void Granted_seat_invalidates_the_tag_its_code_is_cached_under()
    {
        Result<ClaimSeat.Response> granted = new ClaimSeat.Response(Guid.NewGuid(), "SUMMER", 3, 7, Resumed: false);

        var tags = new ClaimSeat.Command("summer").CacheTagsToInvalidate(granted);

        Assert.Equal(new GetAccessCode.Query("summer").CacheTags, tags);
    }

    [Fact]
    public void Nothing_is_invalidated_when_the_seat_was_resumed_or_refused()
    {
        Result<ClaimSeat.Response> resumed = new ClaimSeat.Response(Guid.NewGuid(), "SUMMER", 3, 7, Resumed: true);
        Result<ClaimSeat.Response> full = AccessCodeErrors.Full("SUMMER", 10);
        var command = new ClaimSeat.Command("SUMMER", "client-1");

        Assert.Empty(command.CacheTagsToInvalidate(resumed));
        Assert.Empty(command.CacheTagsToInvalidate(full));
    }
}
