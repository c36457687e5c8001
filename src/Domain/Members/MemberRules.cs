using System.Text.RegularExpressions;

namespace Capacity.Domain.Members;

/// <summary>Every rule about a member's fields, once.</summary>
public static partial class MemberRules
{
    public const int IdNumberMinLength = 6;
    public const int IdNumberMaxLength = 20;
    public const string IdNumberPattern = @"^[A-Za-z0-9]+\z";
    public const string PublishedIdNumberPattern = "^[A-Za-z0-9]+$";

    public const int NameMaxLength = 100;

    /// <summary>A name: any characters but control characters (no line breaks, no tabs).</summary>
    public const string NamePattern = @"^[^\p{Cc}]+\z";
    public const string PublishedNamePattern = @"^[^\p{Cc}]+$";

    public const int AreaCodeMaxLength = 20;
    public const string AreaCodePattern = @"^[A-Za-z0-9-]+\z";
    public const string PublishedAreaCodePattern = "^[A-Za-z0-9-]+$";

    public static readonly string[] Statuses = ["active", "expired", "suspended"];

    /// <summary>Id numbers match case-insensitively: stored and looked up upper case, without surrounding spaces.</summary>
    public static string NormalizeIdNumber(string idNumber) => idNumber.Trim().ToUpperInvariant();

    public static bool IsWellFormedIdNumber(string? idNumber) =>
        idNumber is { Length: >= IdNumberMinLength and <= IdNumberMaxLength } && IdNumberRegex().IsMatch(idNumber);

    public static MemberStatus? ParseStatus(string? status) => status switch
    {
        "active" => MemberStatus.Active,
        "expired" => MemberStatus.Expired,
        "suspended" => MemberStatus.Suspended,
        _ => null,
    };

    public static string Text(MemberStatus status) => status switch
    {
        MemberStatus.Active => "active",
        MemberStatus.Expired => "expired",
        _ => "suspended",
    };

    [GeneratedRegex(IdNumberPattern, RegexOptions.CultureInvariant)]
    private static partial Regex IdNumberRegex();
}
