using Capacity.Application.Common.Paging;
using FluentValidation;

namespace Capacity.UnitTests.Common.Paging;

public sealed class PagingTests
{
    private sealed record ListQuery(int? Page = null, int? Limit = null) : IPagedQuery;

    private sealed record LogQuery(string? After = null, int? Limit = null) : IKeysetQuery;

    private sealed class ListValidator : AbstractValidator<ListQuery>
    {
        public ListValidator()
        {
            RuleFor(q => q.Page).MustBePage();
            RuleFor(q => q.Limit).MustBeLimit();
        }
    }

    private sealed class LogValidator : AbstractValidator<LogQuery>
    {
        public LogValidator()
        {
            RuleFor(q => q.After).MustBeCursor();
            RuleFor(q => q.Limit).MustBeLimit();
        }
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(1, 1)]
    [InlineData(7, 100)]
    [InlineData(int.MaxValue, 20)]
    public void Page_and_limit_in_range_or_absent_are_valid(int? page, int? limit)
    {
        Assert.True(new ListValidator().Validate(new ListQuery(page, limit)).IsValid);
    }

    [Theory]
    [InlineData(0, null, "Page")]
    [InlineData(-1, null, "Page")]
    [InlineData(null, 0, "Limit")]
    [InlineData(null, 101, "Limit")]
    [InlineData(null, -5, "Limit")]
    public void Page_below_1_or_limit_outside_1_to_100_is_refused_naming_the_field(int? page, int? limit, string field)
    {
        var result = new ListValidator().Validate(new ListQuery(page, limit));

        Assert.False(result.IsValid);
        Assert.All(result.Errors, e => Assert.Equal(field, e.PropertyName));
    }

    [Fact]
    public void Defaults_are_page_1_of_20()
    {
        var page = Paged<int>.Of([], new ListQuery(), total: 0);

        Assert.Equal(new Pagination(1, 20, 0, 0, HasNext: false, HasPrev: false), page.Pagination);
    }

    [Fact]
    public void Middle_page_knows_both_neighbours()
    {
        var query = new ListQuery(2, 10);
        var page = Paged<int>.Of([11, 12, 13, 14, 15, 16, 17, 18, 19, 20], query, total: 25);

        Assert.Equal(10, query.OffsetOf());
        Assert.Equal(new Pagination(2, 10, 25, 3, HasNext: true, HasPrev: true), page.Pagination);
    }

    [Fact]
    public void Last_page_has_no_next()
    {
        var page = Paged<int>.Of([21, 22, 23, 24, 25], new ListQuery(3, 10), total: 25);

        Assert.Equal(new Pagination(3, 10, 25, 3, HasNext: false, HasPrev: true), page.Pagination);
    }

    [Fact]
    public void Page_past_the_end_is_empty_and_says_where_the_end_is()
    {
        var query = new ListQuery(9, 10);
        var page = Paged<int>.Of([], query, total: 25);

        Assert.Empty(page.Data);
        Assert.Equal(80, query.OffsetOf());
        Assert.Equal(new Pagination(9, 10, 25, 3, HasNext: false, HasPrev: true), page.Pagination);
    }

    [Fact]
    public void Offset_of_a_huge_page_does_not_overflow()
    {
        Assert.Equal((long)(int.MaxValue - 1) * 100, new ListQuery(int.MaxValue, 100).OffsetOf());
    }

    [Fact]
    public void Cursor_round_trips_and_is_url_safe()
    {
        var cursor = new KeysetCursor(new DateTimeOffset(2026, 11, 30, 7, 8, 9, TimeSpan.Zero).AddTicks(1234), Guid.CreateVersion7());

        var text = cursor.Encode();

        Assert.Matches("^[A-Za-z0-9_-]{32}$", text);
        Assert.True(KeysetCursor.TryDecode(text, out var back));
        Assert.Equal(cursor, back);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-cursor")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("////////////////////////////////")]
    public void Anything_but_a_cursor_this_api_gave_is_refused(string after)
    {
        Assert.False(KeysetCursor.TryDecode(after, out _));
        var result = new LogValidator().Validate(new LogQuery(after));
        Assert.False(result.IsValid);
        Assert.All(result.Errors, e => Assert.Equal("After", e.PropertyName));
    }

    [Fact]
    public void Keyset_page_gives_a_next_cursor_only_when_a_row_follows()
    {
        var rows = Enumerable.Range(0, 5)
            .Select(i => (At: new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(-i), Id: Guid.CreateVersion7()))
            .ToList();

        var full = KeysetPage<(DateTimeOffset At, Guid Id)>.Of(rows, limit: 4, r => new KeysetCursor(r.At, r.Id));
        var last = KeysetPage<(DateTimeOffset At, Guid Id)>.Of(rows.Take(4).ToList(), limit: 4, r => new KeysetCursor(r.At, r.Id));

        Assert.Equal(rows.Take(4), full.Data);
        Assert.True(KeysetCursor.TryDecode(full.Next, out var next));
        Assert.Equal(new KeysetCursor(rows[3].At, rows[3].Id), next);
        Assert.Equal(4, last.Data.Count);
        Assert.Null(last.Next);
    }
}
