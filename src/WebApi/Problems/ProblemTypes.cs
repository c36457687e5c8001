namespace Capacity.WebApi.Problems;

/// <summary>
/// The stable <c>type</c> of every problem details response: <c>urn:capacity:problem:&lt;code&gt;</c>.
/// Domain errors use their own code (see <c>AccessCodeErrors</c>); the rest are listed here.
/// </summary>
public static class ProblemTypes
{
    public const string Prefix = "urn:capacity:problem:";

    public const string Validation = Prefix + "validation";
    public const string MalformedRequest = Prefix + "malformed-request";
    public const string PayloadTooLarge = Prefix + "payload-too-large";
    public const string DatabaseUnavailable = Prefix + "database-unavailable";
    public const string ServerBusy = Prefix + "server-busy";
    public const string ApiKeyMissing = Prefix + "api-key-missing";
    public const string ApiKeyInvalid = Prefix + "api-key-invalid";
    public const string ScopeMissing = Prefix + "scope-missing";
    public const string NotFound = Prefix + "not-found";
    public const string MethodNotAllowed = Prefix + "method-not-allowed";
    public const string UnsupportedMediaType = Prefix + "unsupported-media-type";
    public const string Internal = Prefix + "internal";

    public static string For(string errorCode) => Prefix + errorCode;
}
