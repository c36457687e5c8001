using Capacity.IntegrationTests.Fixtures;
using Npgsql;

namespace Capacity.IntegrationTests.AccessCodes;

/// <summary>
/// A grouped claim transaction never waits for a code row another transaction holds (SKIP LOCKED): the held
/// code's claims retry, the other codes of the group are granted meanwhile.
/// </summary>
public sealed class HeldCodeClaimTests(HeldCodeClaimTests.OneGroupAtATimeApiFactory api)
    : IClassFixture<HeldCodeClaimTests.OneGroupAtATimeApiFactory>
{
    /// <summary>
    /// The API with ONE grouped transaction at a time, so the held code's batch cannot sit in a transaction of
    /// its own beside the others: it shares theirs, and a group that waited for the held row would stop every
    /// other code. The claim deadline is far longer than the test holds the row: on a busy machine the other
    /// claims may take seconds, and the held code's claims must then still be waiting, not answered busy.
    /// </summary>
    public sealed class OneGroupAtATimeApiFactory : CapacityApiFactory
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Claims:GroupedTransactions"] = "1",
            ["Claims:Deadline"] = "00:01:00",
        };
    }

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(50);

    [Fact]
    public async Task Other_codes_are_granted_while_a_code_row_is_held_and_the_held_code_is_granted_once_it_is_free()
    {
        var held = await api.CreateCodeAsync(maxUsageCount: 10);
        var others = new string[6];
        for (var i = 0; i < others.Length; i++)
        {
            others[i] = await api.CreateCodeAsync(maxUsageCount: 10);
        }

        await using var holder = new NpgsqlConnection(api.ConnectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT id FROM access_codes WHERE code = $1 FOR UPDATE", holder, transaction))
        {
            lockRow.Parameters.Add(new NpgsqlParameter { Value = held });
            Assert.NotNull(await lockRow.ExecuteScalarAsync());
        }

        // The held code's claims are sent among the others', so they meet its row in the same groups.
        string[] codes = [held, .. others];
        var claims = Enumerable.Range(0, 10 * codes.Length)
            .Select(i => (Code: codes[i % codes.Length], Outcome: ClaimOutcome.ClaimAsync(api.Client, codes[i % codes.Length])))
            .ToArray();
        var heldClaims = claims.Where(c => c.Code == held).Select(c => c.Outcome).ToArray();
        var otherClaims = claims.Where(c => c.Code != held).Select(c => c.Outcome).ToArray();

        var granted = await WithinBoundAsync(otherClaims, "the other codes' claims while the row was held");

        // Still held: none of the held code's claims has an answer, and nothing was written for it.
        Assert.All(heldClaims, t => Assert.False(t.IsCompleted, "A claim of the held code was answered while its row was held."));
        var whileHeld = await CodeUsage.ReadAsync(api.ConnectionString, codes);
        Assert.Equal(new CodeUsage(held, 0, 10, 0), whileHeld[held]);
        Assert.All(granted, o => Assert.True(o.Granted, $"{o.Code}: {(int)o.Status} {o.ProblemType}"));
        Assert.All(others, code => Assert.Equal(new CodeUsage(code, 10, 10, 10), whileHeld[code]));

        await transaction.RollbackAsync();

        var heldOutcomes = await WithinBoundAsync(heldClaims, "the held code's claims once the row was free");
        Assert.All(heldOutcomes, o => Assert.True(o.Granted, $"{o.Code}: {(int)o.Status} {o.ProblemType}"));
        Assert.Equal(Enumerable.Range(1, 10), heldOutcomes.Select(o => o.UsageCount!.Value).Order());
        var usage = await CodeUsage.ReadAsync(api.ConnectionString, codes);
        Assert.All(codes, code => Assert.Equal(new CodeUsage(code, 10, 10, 10), usage[code]));
    }

    private static async Task<ClaimOutcome[]> WithinBoundAsync(Task<ClaimOutcome>[] claims, string what)
    {
        try
        {
            return await Task.WhenAll(claims).WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{claims.Count(c => !c.IsCompleted)} of {what} had no answer after {Bound.TotalSeconds} s.");
            throw;
        }
    }
}
