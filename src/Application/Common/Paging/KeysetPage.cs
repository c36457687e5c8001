using System.Buffers.Binary;
using FluentValidation;

namespace Capacity.Application.Common.Paging;

/// <summary>
/// Keyset pagination for append-only tables that hold millions of rows (validation logs, the audit log), where
/// OFFSET would read every skipped row: <c>after</c> (an opaque cursor from the previous page) and <c>limit</c>
/// (1–100, default 20) give <c>{data, next}</c>, newest first.
/// </summary>
public interface IKeysetQuery
{
    /// <summary>The <c>next</c> of the previous page; null for the newest page.</summary>
    string? After { get; }

    /// <summary>Items per page, 1–100; null means 20.</summary>
    int? Limit { get; }
}

/// <summary>One page, newest first; <paramref name="Next"/> is the cursor of the following page, null on the last.</summary>
public sealed record KeysetPage<T>(IReadOnlyList<T> Data, string? Next)
{
    /// <summary>
    /// The page from rows read with <c>LIMIT limit + 1</c> after the cursor: the extra row, when there is one, only
    /// says that a following page exists (so the last page never hands out a cursor to an empty one).
    /// </summary>
    public static KeysetPage<T> Of(IReadOnlyList<T> fetched, int limit, Func<T, KeysetCursor> position)
    {
        if (fetched.Count <= limit)
        {
            return new KeysetPage<T>(fetched, null);
        }

        var data = fetched.Take(limit).ToList();
        return new KeysetPage<T>(data, position(data[^1]).Encode());
    }
}

/// <summary>
/// The position after which a keyset page starts: the (time, id) of the last row of the previous page, the order
/// of an index on <c>(created_at DESC, id DESC)</c>. Opaque to clients: base64url of 8 bytes of ticks + 16 of id.
/// </summary>
public readonly record struct KeysetCursor(DateTimeOffset At, Guid Id)
{
    private const int Length = 24;

    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[Length];
        BinaryPrimitives.WriteInt64BigEndian(bytes, At.UtcTicks);
        Id.TryWriteBytes(bytes[8..], bigEndian: true, out _);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static bool TryDecode(string? text, out KeysetCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text) || text.Length != 32)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Length];
        var base64 = text.Replace('-', '+').Replace('_', '/');
        if (!Convert.TryFromBase64String(base64, bytes, out var written) || written != Length)
        {
            return false;
        }

        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        cursor = new KeysetCursor(new DateTimeOffset(ticks, TimeSpan.Zero), new Guid(bytes[8..], bigEndian: true));
        return true;
    }
}

public static class KeysetPaging
{
    /// <summary>The limit asked for, or the default.</summary>
    public static int LimitOf(this IKeysetQuery query) => query.Limit ?? Paging.DefaultLimit;

    /// <summary>The validation rule of <c>after</c>: a cursor this API gave out, when given.</summary>
    public static IRuleBuilderOptions<T, string?> MustBeCursor<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(after => after is null || KeysetCursor.TryDecode(after, out _))
            .WithMessage("'{PropertyName}' must be the 'next' cursor of a previous page.");
}
