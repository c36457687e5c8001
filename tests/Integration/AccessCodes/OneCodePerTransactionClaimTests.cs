using Capacity.Infrastructure.AccessCodes;
using Capacity.IntegrationTests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Capacity.IntegrationTests.AccessCodes;

/// <summary>Claims:MaxCodesPerTransaction=1 (tables distributed by code): no claim transaction spans two codes.</summary>
public sealed class OneCodePerTransactionClaimTests(OneCodePerTransactionClaimTests.OneCodePerTransactionApiFactory api)
    : IClassFixture<OneCodePerTransactionClaimTests.OneCodePerTransactionApiFactory>
{
    public sealed class OneCodePerTransactionApiFactory : CapacityApiFactory
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Claims:MaxCodesPerTransaction"] = "1",
        };
    }

    [Fact]
    public async Task Each_of_20_codes_grants_exactly_its_5_seats_and_no_transaction_spans_two_codes_when_500_claims_spread_at_once()
    {
        Assert.Equal(1, api.Services.GetRequiredService<IOptions<ClaimOptions>>().Value.MaxCodesPerTransaction);
        var codes = new string[20];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = await api.CreateCodeAsync(maxUsageCount: 5);
        }

        var outcomes = await ClaimOutcome.ClaimAllAsync(
            Enumerable.Range(0, 500).Select(i => (api.Client, codes[i % codes.Length])));

        ClaimOutcome.AssertEachCodeGrantedExactly(outcomes, codes, seats: 5, claimsPerCode: 25);
        var usage = await CodeUsage.ReadAsync(api.ConnectionString, codes);
        Assert.All(codes, code => Assert.Equal(new CodeUsage(code, 5, 5, 5), usage[code]));
        Assert.Equal(1, await CodeUsage.MostCodesPerClaimTransactionAsync(api.ConnectionString, codes));
    }
}
