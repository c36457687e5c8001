namespace Capacity.WebApi.Security;

/// <summary>Where a caller puts its key: <c>X-Api-Key: &lt;key&gt;</c>, or <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
internal static class ApiKeyCredentials
{
    public const string HeaderName = "X-Api-Key";
    public const string BearerPrefix = "Bearer ";

    /// <summary>The key the request presents (X-Api-Key first), or null when it presents none.</summary>
    public static string? Read(HttpRequest request)
    {
        var header = request.Headers[HeaderName];
        if (header.Count > 0 && header[0] is { Length: > 0 } key)
        {
            return key.Trim();
        }

        var authorization = request.Headers.Authorization;
        if (authorization.Count > 0 && authorization[0] is { } value
            && value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) && value.Length > BearerPrefix.Length)
        {
            return value[BearerPrefix.Length..].Trim();
        }

        return null;
    }

    /// <summary>True when the request names a key at all (even an empty or malformed one).</summary>
    public static bool IsPresented(HttpRequest request) =>
        request.Headers.ContainsKey(HeaderName)
        || (request.Headers.Authorization.Count > 0 && request.Headers.Authorization[0]!.StartsWith("Bearer", StringComparison.OrdinalIgnoreCase));
}
