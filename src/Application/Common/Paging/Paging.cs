using FluentValidation;

namespace Capacity.Application.Common.Paging;

/// <summary>
/// Offset pagination for every list (design §4.5): <c>page</c> (≥ 1, default 1) and <c>limit</c> (1–100, default
/// 20) give <see cref="Paged{T}"/>. Append-only tables use <see cref="KeysetPage{T}"/> instead.
/// </summary>
public interface IPagedQuery
{
    /// <summary>The page, from 1; null means 1.</summary>
    int? Page { get; }

    /// <summary>Items per page, 1–100; null means 20.</summary>
    int? Limit { get; }
}

/// <summary>The limits and defaults of <see cref="IPagedQuery"/> and <see cref="KeysetPage{T}"/>.</summary>
public static class Paging
{
    public const int DefaultPage = 1;
    public const int DefaultLimit = 20;
    public const int MinLimit = 1;
    public const int MaxLimit = 100;

    /// <summary>The page asked for, or the default.</summary>
    public static int PageOf(this IPagedQuery query) => query.Page ?? DefaultPage;

    /// <summary>The limit asked for, or the default.</summary>
    public static int LimitOf(this IPagedQuery query) => query.Limit ?? DefaultLimit;

    /// <summary>Rows to skip for the page asked for (a long: page × limit can pass int.MaxValue).</summary>
    public static long OffsetOf(this IPagedQuery query) => (long)(query.PageOf() - 1) * query.LimitOf();

    /// <summary>The validation rule of <c>page</c>: at least 1 when given.</summary>
    public static IRuleBuilderOptions<T, int?> MustBePage<T>(this IRuleBuilder<T, int?> rule) =>
        rule.GreaterThanOrEqualTo(DefaultPage);

    /// <summary>The validation rule of <c>limit</c>: 1–100 when given.</summary>
    public static IRuleBuilderOptions<T, int?> MustBeLimit<T>(this IRuleBuilder<T, int?> rule) =>
        rule.InclusiveBetween(MinLimit, MaxLimit);
}

/// <summary>Where a page sits in the whole list.</summary>
/// <param name="Page">This page, from 1.</param>
/// <param name="Limit">Items per page.</param>
/// <param name="Total">Items in the whole list.</param>
/// <param name="TotalPages">Pages in the whole list (0 when it is empty).</param>
/// <param name="HasNext">A later page has items.</param>
/// <param name="HasPrev">This is not the first page.</param>
public sealed record Pagination(int Page, int Limit, long Total, long TotalPages, bool HasNext, bool HasPrev);

/// <summary>One page of a list: <c>{data, pagination}</c>. A page past the end has no data, and says so.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Data, Pagination Pagination)
{
    public static Paged<T> Of(IReadOnlyList<T> data, IPagedQuery query, long total)
    {
        var (page, limit) = (query.PageOf(), query.LimitOf());
        var totalPages = (total + limit - 1) / limit;
        return new Paged<T>(data, new Pagination(page, limit, total, totalPages, HasNext: page < totalPages, HasPrev: page > 1));
    }
}
