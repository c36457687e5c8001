using System.Net;
using System.Text.Json;

namespace Capacity.IntegrationTests.Fixtures;

/// <summary>Assertions on RFC 9457 problem details responses.</summary>
public static class Problems
{
    /// <summary>Asserts the status, the problem+json media type and the stable type; returns the body.</summary>
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, HttpStatusCode status, string problemCode)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal("urn:capacity:problem:" + problemCode, problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }
}
