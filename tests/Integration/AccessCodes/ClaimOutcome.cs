using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Capacity.IntegrationTests.AccessCodes;

/// <summary>What one POST /api/auth/code-login answered: the seat on 201, the problem type otherwise.</summary>
public sealed record ClaimOutcome(string Code, HttpStatusCode Status, Guid? SessionId, int? UsageCount, string? ProblemType)
{
    public const string Full = "urn:capacity:problem:access-code-full";

    public bool Granted => Status == HttpStatusCode.Created;

    /// <summary>Claims a seat of <paramref name="code"/> (no client reference) and reads the answer.</summary>
    public static async Task<ClaimOutcome> ClaimAsync(HttpClient client, string code)
    {
        using var response = await client.PostAsJsonAsync("/api/auth/code-login", new { code });
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.Created)
        {
            var seat = JsonDocument.Parse(text).RootElement;
            return new ClaimOutcome(code, response.StatusCode, seat.GetProperty("sessionId").GetGuid(), seat.GetProperty("usageCount").GetInt32(), null);
        }

        // Problem details; a body that is not one (which would be a bug) leaves the type null for the assertions to show.
        string? type = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            type = JsonDocument.Parse(text).RootElement.GetProperty("type").GetString();
        }

        return new ClaimOutcome(code, response.StatusCode, null, null, type);
    }

    /// <summary>Sends every claim at once (each on its client) and waits for all the answers, in the order given.</summary>
    public static Task<ClaimOutcome[]> ClaimAllAsync(IEnumerable<(HttpClient Client, string Code)> claims) =>
        Task.WhenAll(claims.Select(c => ClaimAsync(c.Client, c.Code)));

    /// <summary>
    /// Asserts that each code granted exactly <paramref name="seats"/> of its <paramref name="claimsPerCode"/>
    /// claims, seat numbers 1..seats each once, that every other claim was refused as full, and that none was busy.
    /// </summary>
    public static void AssertEachCodeGrantedExactly(
        IReadOnlyCollection<ClaimOutcome> outcomes, IReadOnlyCollection<string> codes, int seats, int claimsPerCode)
    {
        var statuses = outcomes.GroupBy(o => o.Status).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(
            statuses.Keys.All(s => s is HttpStatusCode.Created or HttpStatusCode.Conflict),
            "Unexpected statuses: " + string.Join(", ", statuses.Select(s => $"{(int)s.Key} x {s.Value}")));
        Assert.Equal(codes.Count * seats, statuses.GetValueOrDefault(HttpStatusCode.Created));
        Assert.Equal(codes.Count * (claimsPerCode - seats), statuses.GetValueOrDefault(HttpStatusCode.Conflict));
        Assert.All(outcomes.Where(o => !o.Granted), o => Assert.Equal(Full, o.ProblemType));

        var byCode = outcomes.ToLookup(o => o.Code);
        Assert.All(codes, code =>
        {
            var mine = byCode[code].ToArray();
            Assert.Equal(claimsPerCode, mine.Length);
            Assert.Equal(Enumerable.Range(1, seats), mine.Where(o => o.Granted).Select(o => o.UsageCount!.Value).Order());
        });
        Assert.Equal(codes.Count * seats, outcomes.Where(o => o.Granted).Select(o => o.SessionId).Distinct().Count());
    }
}
