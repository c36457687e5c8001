namespace Capacity.UnitTests.AccessCodes;

/// <summary>Access code texts shared by the tests of every slice that takes a code.</summary>
public static class AccessCodeCases
{
    public static TheoryData<string> WellFormed =>
    [
        "ABC",
        "abc",
        "Summer-2030_VIP",
        "0-_",
        new string('Z', 64),
    ];

    /// <summary>Missing, too short, too long, or with a character outside A-Z a-z 0-9 - _.</summary>
    public static TheoryData<string?> Malformed =>
    [
        null,
        "",
        "   ",
        "AB",
        new string('Z', 65),
        "ABC DEF",
        " ABC",
        "ABC!",
        "ABC.DEF",
        "ÄBC",
        "ABC\tD",
    ];
}
