using Capacity.Application.Common.Errors;
using Capacity.Domain.Common;

namespace Capacity.UnitTests.Common.Errors;

public sealed class ErrorKindsTests
{
    [Fact]
    public void Every_error_kind_has_exactly_one_row()
    {
        Assert.Equal(Enum.GetValues<ErrorKind>(), ErrorKinds.All.Select(r => r.Kind));
        Assert.All(Enum.GetValues<ErrorKind>(), kind => Assert.Equal(kind, ErrorKinds.Of(kind).Kind));
    }

    [Theory]
    [InlineData(ErrorKind.NotFound, 404, false, false)]
    [InlineData(ErrorKind.Conflict, 409, false, false)]
    [InlineData(ErrorKind.Gone, 410, false, false)]
    [InlineData(ErrorKind.Busy, 503, true, true)]
    [InlineData(ErrorKind.Forbidden, 403, false, false)]
    [InlineData(ErrorKind.Unprocessable, 422, false, false)]
    [InlineData(ErrorKind.RateLimited, 429, false, true)]
    public void Each_kind_has_its_status_failure_count_and_retry_after(ErrorKind kind, int status, bool failure, bool retryAfter)
    {
        var row = ErrorKinds.Of(kind);

        Assert.Equal(status, row.Status);
        Assert.Equal(failure, row.CountsAsFailure);
        Assert.Equal(retryAfter, row.RetryAfter);
        Assert.False(string.IsNullOrWhiteSpace(row.Title));
    }

    [Fact]
    public void A_kind_without_a_row_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ErrorKinds.Of((ErrorKind)99));
    }
}
