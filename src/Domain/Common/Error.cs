namespace Capacity.Domain.Common;

/// <summary>What kind of expected failure an <see cref="Error"/> is; the API maps each kind to one HTTP status.</summary>
public enum ErrorKind
{
    NotFound,
    Conflict,
    Gone,
    Busy,
}

/// <summary>
/// An expected, named outcome that is not a success (a full code, an unknown session).
/// <see cref="Code"/> is stable: clients and the problem-details <c>type</c> are derived from it.
/// </summary>
public sealed record Error(string Code, string Message, ErrorKind Kind)
{
    /// <summary>Seconds after which a retry may succeed; set for <see cref="ErrorKind.Busy"/>.</summary>
    public int? RetryAfterSeconds { get; init; }
}
