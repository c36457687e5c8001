using Capacity.Application.Members;
using FluentValidation.Results;
using Microsoft.Extensions.Time.Testing;

namespace Capacity.UnitTests.Members;

public sealed class CreateMemberTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    private static CreateMember.Command Valid(string idNumber = "8001015009087") =>
        new(idNumber, "Thandi", "Mokoena", "GP", "JHB", "JHB-042", Now.AddYears(1));

    private static ValidationResult Validate(CreateMember.Command command) =>
        new CreateMember.Validator(new FakeTimeProvider(Now)).Validate(command);

    private static void AssertFailsOnlyOn(ValidationResult result, string property)
    {
        Assert.False(result.IsValid);
        Assert.Equal([property], result.Errors.Select(e => e.PropertyName).Distinct());
    }

    [Theory]
    [InlineData("123456")]
    [InlineData("12345678901234567890")]
    [InlineData("ab12CD34")]
    public void Id_numbers_of_6_to_20_letters_and_digits_are_valid(string idNumber)
    {
        Assert.True(Validate(Valid(idNumber)).IsValid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("123456789012345678901")]
    [InlineData("800101-5009")]
    [InlineData("800101 5009")]
    [InlineData("8001015009\n")]
    public void Other_id_numbers_are_refused(string idNumber)
    {
        AssertFailsOnlyOn(Validate(Valid(idNumber)), nameof(CreateMember.Command.IdNumber));
    }

    [Fact]
    public void Names_may_hold_any_letters_but_no_control_characters_and_at_most_100()
    {
        Assert.True(Validate(Valid() with { FirstName = "Zoë-Ngozi O'Brien", Surname = "van der Merwe" }).IsValid);
        AssertFailsOnlyOn(Validate(Valid() with { Surname = "tab\there" }), nameof(CreateMember.Command.Surname));
        AssertFailsOnlyOn(Validate(Valid() with { FirstName = new string('a', 101) }), nameof(CreateMember.Command.FirstName));
        AssertFailsOnlyOn(Validate(Valid() with { FirstName = "" }), nameof(CreateMember.Command.FirstName));
    }

    [Fact]
    public void Area_codes_are_letters_digits_and_dashes()
    {
        AssertFailsOnlyOn(Validate(Valid() with { WardCode = "ward 7" }), nameof(CreateMember.Command.WardCode));
        AssertFailsOnlyOn(Validate(Valid() with { ProvinceCode = null }), nameof(CreateMember.Command.ProvinceCode));
    }

    [Fact]
    public void Expiry_is_required_and_after_joining_or_now()
    {
        AssertFailsOnlyOn(Validate(Valid() with { ExpiresAt = null }), nameof(CreateMember.Command.ExpiresAt));
        AssertFailsOnlyOn(Validate(Valid() with { ExpiresAt = Now }), nameof(CreateMember.Command.ExpiresAt));
        AssertFailsOnlyOn(Validate(Valid() with { JoinedAt = Now.AddYears(2) }), nameof(CreateMember.Command.ExpiresAt));
        Assert.True(Validate(Valid() with { JoinedAt = Now.AddYears(-30), ExpiresAt = Now.AddYears(-29) }).IsValid);
    }

    [Theory]
    [InlineData("active")]
    [InlineData("expired")]
    [InlineData("suspended")]
    [InlineData(null)]
    public void Status_is_one_of_three_or_omitted(string? status)
    {
        Assert.True(Validate(Valid() with { Status = status }).IsValid);
    }

    [Fact]
    public void Another_status_is_refused()
    {
        AssertFailsOnlyOn(Validate(Valid() with { Status = "Active" }), nameof(CreateMember.Command.Status));
    }
}
