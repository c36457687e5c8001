namespace Capacity.Domain.Common;

/// <summary>
/// What kind of expected failure an <see cref="Error"/> is. Each kind's HTTP status, title, headers and whether it
/// counts as a failure are in ONE table, <c>Capacity.Application.Common.Errors.ErrorKinds</c>.
/// </summary>
public enum ErrorKind
{
    /// <summary>The thing named does not exist (404).</summary>
    NotFound,

    /// <summary>The request conflicts with the current state: full, exists, key reused (409).</summary>
    Conflict,

    /// <summary>The thing existed but is no longer available: expired, inactive, ended (410).</summary>
    Gone,

    /// <summary>The server cannot take the request right now; retry after <see cref="Error.RetryAfterSeconds"/> (503).</summary>
    Busy,

    /// <summary>The caller is known but may not do this (403).</summary>
    Forbidden,

    /// <summary>Well-formed and understood, but it does not apply: a coupon below its minimum order (422).</summary>
    Unprocessable,

    /// <summary>The caller sent too many requests; retry after <see cref="Error.RetryAfterSeconds"/> (429).</summary>
    RateLimited,
}

/// <summary>
/// An expected, named outcome that is not a success (a full code, an unknown session).
/// <see cref="Code"/> is stable: clients and the problem-details <c>type</c> are derived from it.
/// </summary>
public sealed record Error(string Code, string Message, ErrorKind Kind)
{
    /// <summary>Seconds after which a retry may succeed; set for <see cref="ErrorKind.Busy"/> and <see cref="ErrorKind.RateLimited"/>.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>A stable reason code under the problem (a coupon's <c>expired</c>, <c>usage_limit_reached</c>), shown as <c>reason</c>.</summary>
    public string? Reason { get; init; }
}
