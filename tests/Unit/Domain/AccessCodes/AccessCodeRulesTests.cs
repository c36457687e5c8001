using Capacity.Domain.AccessCodes;
using Capacity.UnitTests.AccessCodes;

namespace Capacity.UnitTests.Domain.AccessCodes;

public sealed class AccessCodeRulesTests
{
    [Theory]
    [InlineData("abc", "ABC")]
    [InlineData("ABC", "ABC")]
    [InlineData("Summer-2030_vip", "SUMMER-2030_VIP")]
    [InlineData("  padded\t", "PADDED")]
    [InlineData("\nabc\r\n", "ABC")]
    public void Normalize_trims_and_upper_cases_when_code_differs_in_case_or_padding(string code, string normalized)
    {
        Assert.Equal(normalized, AccessCodeRules.Normalize(code));
    }

    [Theory]
    [MemberData(nameof(AccessCodeCases.WellFormed), MemberType = typeof(AccessCodeCases))]
    public void IsWellFormed_is_true_when_code_fits_the_rules(string code)
    {
        Assert.True(AccessCodeRules.IsWellFormed(code));
    }

    [Theory]
    [MemberData(nameof(AccessCodeCases.Malformed), MemberType = typeof(AccessCodeCases))]
    public void IsWellFormed_is_false_when_code_is_malformed(string? code)
    {
        Assert.False(AccessCodeRules.IsWellFormed(code));
    }

    [Theory]
    [InlineData("ABC\n")]
    [InlineData("AB\n")]
    public void IsWellFormed_is_false_when_code_ends_with_a_line_feed(string code)
    {
        // .NET's '$' also matches before a final '\n'; "AB\n" would be stored as the two-character code "AB".
        Assert.False(AccessCodeRules.IsWellFormed(code));
    }
}
