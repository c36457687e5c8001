namespace Capacity.WebApi.Security;

/// <summary>Section <c>Security</c>.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    public const int MinimumKeyLength = 16;

    /// <summary>
    /// The key admin endpoints require in the <c>X-Api-Key</c> header (env <c>Security__AdminApiKey</c>).
    /// Required outside Development; without it in Development, admin endpoints refuse every call.
    /// </summary>
    public string? AdminApiKey { get; set; }
}
