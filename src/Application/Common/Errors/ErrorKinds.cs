using Capacity.Domain.Common;

namespace Capacity.Application.Common.Errors;

/// <summary>What every <see cref="ErrorKind"/> means to a client and to the operator, in one row.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Status">The HTTP status of its problem details.</param>
/// <param name="Title">The problem details' <c>title</c> (the <c>type</c> comes from the error's own code).</param>
/// <param name="CountsAsFailure">
/// Whether it counts against the operation's success rate in the performance API and its alert: only when the
/// server could not serve (busy). An expected answer (not found, full, gone, not allowed, does not apply, over the
/// caller's own rate) is the operation working.
/// </param>
/// <param name="RetryAfter">Whether it carries <c>Retry-After</c> (from <see cref="Error.RetryAfterSeconds"/>).</param>
public sealed record ErrorKindInfo(ErrorKind Kind, int Status, string Title, bool CountsAsFailure, bool RetryAfter);

/// <summary>THE table of error kinds (docs/architecture.md shows it): the problem details mapping and the timing behavior read it.</summary>
public static class ErrorKinds
{
    private static readonly ErrorKindInfo[] Table =
    [
        new(ErrorKind.NotFound, 404, "Not found", CountsAsFailure: false, RetryAfter: false),
        new(ErrorKind.Conflict, 409, "Conflict", CountsAsFailure: false, RetryAfter: false),
        new(ErrorKind.Gone, 410, "No longer available", CountsAsFailure: false, RetryAfter: false),
        new(ErrorKind.Busy, 503, "Busy, retry shortly", CountsAsFailure: true, RetryAfter: true),
        new(ErrorKind.Forbidden, 403, "Forbidden", CountsAsFailure: false, RetryAfter: false),
        new(ErrorKind.Unprocessable, 422, "Does not apply", CountsAsFailure: false, RetryAfter: false),
        new(ErrorKind.RateLimited, 429, "Too many requests", CountsAsFailure: false, RetryAfter: true),
    ];

    /// <summary>Every kind's row, in <see cref="ErrorKind"/> order.</summary>
    public static IReadOnlyList<ErrorKindInfo> All => Table;

    public static ErrorKindInfo Of(ErrorKind kind) =>
        (int)kind >= 0 && (int)kind < Table.Length && Table[(int)kind].Kind == kind
            ? Table[(int)kind]
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, "An error kind without a row in ErrorKinds.");
}
