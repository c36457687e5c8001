using System.Globalization;

namespace Capacity.Domain.Members;

/// <summary>
/// Membership numbers: <c>M</c>, the member's sequence number in 8 digits, and a Luhn check digit
/// (<c>M000012344</c>). Assigned once at creation from a database sequence, never reused or changed; the check
/// digit catches one mistyped digit and most swapped neighbours when a number is read out or typed in.
/// </summary>
public static class MembershipNumbers
{
    public const int Length = 10;
    public const long MaxSequence = 99_999_999;
    public const string PublishedPattern = "^M[0-9]{9}$";

    public static string Format(long sequence)
    {
        if (sequence is < 1 or > MaxSequence)
        {
            throw new ArgumentOutOfRangeException(nameof(sequence), sequence, $"A membership sequence number is 1 to {MaxSequence}.");
        }

        var digits = sequence.ToString("D8", CultureInfo.InvariantCulture);
        return "M" + digits + CheckDigit(digits).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>True for a well-formed number whose check digit matches.</summary>
    public static bool IsValid(string? number) =>
        number is { Length: Length } && number[0] == 'M' && number.AsSpan(1).ContainsAnyExceptInRange('0', '9') is false
        && number[^1] - '0' == CheckDigit(number[1..^1]);

    /// <summary>The Luhn check digit of a run of decimal digits.</summary>
    private static int CheckDigit(string digits)
    {
        var sum = 0;
        var doubled = true;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubled)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubled = !doubled;
        }

        return (10 - (sum % 10)) % 10;
    }
}
