using System.Text.RegularExpressions;

namespace Capacity.Domain.AccessCodes;

/// <summary>The rules every access code obeys, shared by validators, storage and docs.</summary>
public static partial class AccessCodeRules
{
    public const int CodeMinLength = 3;
    public const int CodeMaxLength = 64;
    public const int MaxBulkUsageCount = 1_000_000;
    public const int ClientRefMaxLength = 128;
    /// <summary>Letters, digits, - and _. Ends with \z, not $: in .NET $ also matches before a final line feed.</summary>
    public const string CodePattern = @"^[A-Za-z0-9_-]+\z";

    /// <summary>The same rule in the ECMA-262 dialect of JSON Schema (OpenAPI), where $ has no such gap.</summary>
    public const string PublishedCodePattern = "^[A-Za-z0-9_-]+$";

    /// <summary>Codes are matched case-insensitively and stored upper case.</summary>
    public static string Normalize(string code) => code.Trim().ToUpperInvariant();

    public static bool IsWellFormed(string? code) =>
        code is { Length: >= CodeMinLength and <= CodeMaxLength } && CodeRegex().IsMatch(code);

    [GeneratedRegex(CodePattern, RegexOptions.CultureInvariant)]
    private static partial Regex CodeRegex();
}
