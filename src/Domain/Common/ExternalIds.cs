using System.Text.RegularExpressions;

namespace Capacity.Domain.Common;

/// <summary>
/// Ids the caller owns (a shop's customer id, an order id): 1-64 characters of letters, digits and <c>_ - . @ :</c>,
/// compared exactly (case-sensitive). The API stores and compares them; it owns no user accounts.
/// </summary>
public static partial class ExternalIds
{
    public const int MaxLength = 64;

    /// <summary>Ends with \z, not $: in .NET $ also matches before a final line feed.</summary>
    public const string Pattern = @"^[A-Za-z0-9_.@:-]+\z";

    /// <summary>The same rule in the ECMA-262 dialect of JSON Schema (OpenAPI).</summary>
    public const string PublishedPattern = "^[A-Za-z0-9_.@:-]+$";

    public static bool IsWellFormed(string? id) => id is { Length: >= 1 and <= MaxLength } && IdRegex().IsMatch(id);

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex IdRegex();
}
