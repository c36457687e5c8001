using Capacity.Domain.Members;

namespace Capacity.UnitTests.Domain.Members;

public sealed class MembershipNumbersTests
{
    [Theory]
    [InlineData(1L, "M000000018")]
    [InlineData(1234L, "M000012344")]
    [InlineData(99_999_999L, "M999999998")]
    public void A_number_is_M_eight_digits_and_the_Luhn_check_digit(long sequence, string expected)
    {
        Assert.Equal(expected, MembershipNumbers.Format(sequence));
        Assert.True(MembershipNumbers.IsValid(expected));
    }

    [Fact]
    public void Every_single_mistyped_digit_is_caught()
    {
        var number = MembershipNumbers.Format(4_711_2);
        for (var position = 1; position < number.Length; position++)
        {
            foreach (var digit in "0123456789")
            {
                if (number[position] == digit)
                {
                    continue;
                }

                var typo = number[..position] + digit + number[(position + 1)..];
                Assert.False(MembershipNumbers.IsValid(typo), typo);
            }
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("000012344")]
    [InlineData("X000012344")]
    [InlineData("M00001234")]
    [InlineData("M0000123444")]
    [InlineData("M00001234A")]
    public void Malformed_numbers_are_not_valid(string? number)
    {
        Assert.False(MembershipNumbers.IsValid(number));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(100_000_000L)]
    public void Sequence_numbers_outside_eight_digits_are_refused(long sequence)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MembershipNumbers.Format(sequence));
    }
}
