using Capacity.Application.Clients;
using Capacity.Domain.Clients;

namespace Capacity.UnitTests.Clients;

public sealed class CreateClientTests
{
    private static readonly CreateClient.Validator Validator = new();

    [Theory]
    [InlineData("shop-backend", new[] { "coupons" })]
    [InlineData("x", new[] { "admin", "bookings", "codes:claim", "coupons", "inventory", "members:read" })]
    [InlineData("membership front end", new[] { "members:read", "members:read" })]
    public void Command_is_valid_with_a_name_and_known_scopes(string name, string[] scopes) =>
        Assert.True(Validator.Validate(new CreateClient.Command(name, scopes)).IsValid);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Name_is_required_and_not_blank(string? name) =>
        Assert.Equal(["Name"], Validator.Validate(new CreateClient.Command(name, ["coupons"])).Errors.Select(e => e.PropertyName).Distinct());

    [Fact]
    public void Name_is_at_most_100_characters()
    {
        Assert.True(Validator.Validate(new CreateClient.Command(new string('n', ClientRules.NameMaxLength), ["coupons"])).IsValid);
        Assert.False(Validator.Validate(new CreateClient.Command(new string('n', ClientRules.NameMaxLength + 1), ["coupons"])).IsValid);
    }

    public static TheoryData<string[]?> WrongScopes => new(null, [], ["coupon"], ["coupons", "ADMIN"], ["members"], ["coupons", ""]);

    [Theory]
    [MemberData(nameof(WrongScopes))]
    public void Scopes_are_required_and_each_from_the_catalogue(string[]? scopes)
    {
        var result = Validator.Validate(new CreateClient.Command("shop", scopes));

        Assert.Equal(["Scopes"], result.Errors.Select(e => e.PropertyName).Distinct());
    }

    [Fact]
    public void Stored_scopes_are_distinct_in_catalogue_order() =>
        Assert.Equal(["admin", "coupons", "members:read"], ClientScopes.Canonical(["members:read", "coupons", "admin", "coupons"]));
}
