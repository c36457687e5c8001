using Capacity.Application.AccessCodes;

namespace Capacity.UnitTests.AccessCodes;

public sealed class GetAccessCodeTests
{
    private readonly GetAccessCode.Validator _validator = new();

    [Theory]
    [MemberData(nameof(AccessCodeCases.WellFormed), MemberType = typeof(AccessCodeCases))]
    public void Query_is_valid_when_code_is_well_formed(string code)
    {
        Assert.True(_validator.Validate(new GetAccessCode.Query(code)).IsValid);
    }

    [Theory]
    [MemberData(nameof(AccessCodeCases.Malformed), MemberType = typeof(AccessCodeCases))]
    public void Code_is_invalid_when_malformed(string? code)
    {
        var result = _validator.Validate(new GetAccessCode.Query(code!));

        Assert.False(result.IsValid);
        Assert.All(result.Errors, e => Assert.Equal("Code", e.PropertyName));
    }

    [Theory]
    [InlineData("abc", "access-code:ABC", "access-code-usage:ABC", "code:ABC")]
    [InlineData("  Summer-2030 ", "access-code:SUMMER-2030", "access-code-usage:SUMMER-2030", "code:SUMMER-2030")]
    public void Code_and_usage_are_cached_5_s_under_the_normalized_code_with_one_shared_tag(
        string code, string codeKey, string usageKey, string tag)
    {
        var read = new GetAccessCode.Query(code);
        var usage = new GetCodeUsage.Query(code.Trim().ToUpperInvariant());

        Assert.Equal(codeKey, read.CacheKey);
        Assert.Equal(usageKey, usage.CacheKey);
        Assert.Equal([tag], read.CacheTags);
        Assert.Equal([tag], usage.CacheTags);
        Assert.Equal(TimeSpan.FromSeconds(5), read.CacheDuration);
        Assert.Equal(TimeSpan.FromSeconds(5), usage.CacheDuration);
    }
}
