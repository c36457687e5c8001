using Capacity.Application.AccessCodes;
using FluentValidation.Results;
using Microsoft.Extensions.Time.Testing;

namespace Capacity.UnitTests.AccessCodes;

public sealed class CreateAccessCodeTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Now);

    private ValidationResult Validate(CreateAccessCode.Command command) =>
        new CreateAccessCode.Validator(_clock).Validate(command);

    private static void AssertFailsOnlyOn(ValidationResult result, params string[] properties)
    {
        Assert.False(result.IsValid);
        Assert.Equal(properties.Order(), result.Errors.Select(e => e.PropertyName).Distinct().Order());
    }

    [Theory]
    [InlineData("ABC", "bulk", 1)]
    [InlineData("abc-DEF_123", "bulk", 1_000_000)]
    [InlineData("Summer2030", "BULK", 250)]
    [InlineData("Summer2030", "Bulk", 250)]
    [InlineData("ONE-SEAT", "single", null)]
    [InlineData("ONE-SEAT", "SINGLE", 1)]
    public void Command_is_valid_when_code_type_and_seats_fit(string code, string type, int? maxUsageCount)
    {
        var result = Validate(new CreateAccessCode.Command(code, type, maxUsageCount));

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
    }

    [Theory]
    [MemberData(nameof(AccessCodeCases.WellFormed), MemberType = typeof(AccessCodeCases))]
    public void Command_is_valid_when_code_is_well_formed(string code)
    {
        Assert.True(Validate(new CreateAccessCode.Command(code, "bulk", 10)).IsValid);
    }

    [Theory]
    [MemberData(nameof(AccessCodeCases.Malformed), MemberType = typeof(AccessCodeCases))]
    public void Code_is_invalid_when_malformed(string? code)
    {
        AssertFailsOnlyOn(Validate(new CreateAccessCode.Command(code, "bulk", 10)), "Code");
    }

    [Fact]
    public void Code_is_invalid_when_it_ends_with_a_line_feed()
    {
        // "AB\n" is three characters, but once normalized (trimmed) it is the two-character code "AB".
        // .NET's '$' also matches before a final '\n', so the pattern alone lets this through.
        AssertFailsOnlyOn(Validate(new CreateAccessCode.Command("AB\n", "bulk", 10)), "Code");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("both")]
    [InlineData("bulk ")]
    [InlineData("singles")]
    [InlineData("multi")]
    public void Type_is_invalid_when_not_bulk_or_single(string? type)
    {
        // The seat rules depend on the type, so an unknown type reports only itself.
        AssertFailsOnlyOn(Validate(new CreateAccessCode.Command("ABC", type, 5)), "Type");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1_000_001)]
    [InlineData(int.MaxValue)]
    public void MaxUsageCount_is_invalid_when_bulk_code_has_none_or_out_of_range(int? maxUsageCount)
    {
        AssertFailsOnlyOn(Validate(new CreateAccessCode.Command("ABC", "bulk", maxUsageCount)), "MaxUsageCount");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(100)]
    public void MaxUsageCount_is_invalid_when_single_code_has_other_than_one(int maxUsageCount)
    {
        AssertFailsOnlyOn(Validate(new CreateAccessCode.Command("ABC", "single", maxUsageCount)), "MaxUsageCount");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3600)]
    [InlineData(365 * 24 * 3600)]
    public void ExpiresAt_is_valid_when_in_the_future(int secondsFromNow)
    {
        var command = new CreateAccessCode.Command("ABC", "bulk", 10, Now.AddSeconds(secondsFromNow));

        Assert.True(Validate(command).IsValid);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-86_400)]
    public void ExpiresAt_is_invalid_when_now_or_in_the_past(int secondsFromNow)
    {
        var command = new CreateAccessCode.Command("ABC", "bulk", 10, Now.AddSeconds(secondsFromNow));

        AssertFailsOnlyOn(Validate(command), "ExpiresAt");
    }

    [Fact]
    public void ExpiresAt_is_compared_as_an_instant_when_given_with_an_offset()
    {
        // 13:30 at +02:00 is 11:30 UTC: half an hour before Now, whatever the wall-clock digits say.
        var earlier = new DateTimeOffset(2030, 1, 15, 13, 30, 0, TimeSpan.FromHours(2));

        AssertFailsOnlyOn(Validate(new CreateAccessCode.Command("ABC", "bulk", 10, earlier)), "ExpiresAt");
    }

    [Fact]
    public void ExpiresAt_is_invalid_when_the_injected_clock_has_moved_past_it()
    {
        var command = new CreateAccessCode.Command("ABC", "bulk", 10, Now.AddMinutes(1));
        var validator = new CreateAccessCode.Validator(_clock);
        Assert.True(validator.Validate(command).IsValid);

        _clock.Advance(TimeSpan.FromMinutes(2));

        AssertFailsOnlyOn(validator.Validate(command), "ExpiresAt");
    }

    [Fact]
    public void Every_invalid_property_is_reported_when_several_are_wrong()
    {
        var command = new CreateAccessCode.Command("!", "bulk", 0, Now.AddDays(-1));

        AssertFailsOnlyOn(Validate(command), "Code", "MaxUsageCount", "ExpiresAt");
    }

    [Fact]
    public void Created_code_invalidates_the_tag_its_query_is_cached_under()
    {
        var created = new AccessCodeResponse(Guid.NewGuid(), "SUMMER", "bulk", true, null, 0, 10);

        var tags = new CreateAccessCode.Command("summer", "bulk", 10).CacheTagsToInvalidate(created);

        Assert.Equal(new GetAccessCode.Query("SUMMER").CacheTags, tags);
    }
}
