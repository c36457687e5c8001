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
    [InlineData("abc", "access-code:ABC", "code:ABC")]
    [InlineData("  Summer-2030 ", "access-code:SUMMER-2030", "code:SUMMER-2030")]
    public void Read_is_one_5_s_entry_under_the_normalized_code(string code, string key, string tag)
    {
        var read = new GetAccessCode.Query(code);

        Assert.Equal(key, read.CacheKey);
        Assert.Equal(key, AccessCodeCache.CodeKey(code.Trim().ToUpperInvariant()));
        Assert.Equal([tag], read.CacheTags);
        Assert.Equal(TimeSpan.FromSeconds(5), read.CacheDuration);
    }
}
