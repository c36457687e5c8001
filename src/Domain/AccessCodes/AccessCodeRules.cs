using System.Text.RegularExpressions;

namespace Capacity.Domain.AccessCodes;

/// <summary>The rules every access code obeys, shared by validators, storage and docs.</summary>
public static partial class AccessCodeRules
{
    public const int CodeMinLength = 3;
    public const int CodeMaxLength = 64;
    public const int MaxBulkUsageCount = 1_000_000;
    public const int ClientRefMaxLength = 128;

    /// <summary>The characters of a code as a regular-expression class, read alike by .NET and ECMA-262.</summary>
    public const string CodeCharacters = "[A-Za-z0-9_-]";

    /// <summary>Letters, digits, - and _. Ends with \z, not $: in .NET $ also matches before a final line feed.</summary>
    public const string CodePattern = "^" + CodeCharacters + @"+\z";

    /// <summary>The same rule in the ECMA-262 dialect of JSON Schema (OpenAPI), where $ has no such gap.</summary>
    public const string PublishedCodePattern = "^" + CodeCharacters + "+$";

    /// <summary>Codes are matched case-insensitively and stored upper case.</summary>
    public static string Normalize(string code) => code.Trim().ToUpperInvariant();

    public static bool IsWellFormed(string? code) =>
        code is { Length: >= CodeMinLength and <= CodeMaxLength } && CodeRegex().IsMatch(code);

    [GeneratedRegex(CodePattern, RegexOptions.CultureInvariant)]
    private static partial Regex CodeRegex();
}
