namespace Capacity.Domain.AccessCodes;

/// <summary>One claimed seat of an access code; open while <see cref="EndedAt"/> is null.</summary>
public sealed class Session
{
    public Guid Id { get; set; }

    public Guid CodeId { get; set; }

    /// <summary>The caller's idempotency key: one open session per code and client reference.</summary>
    public string? ClientRef { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset LastActivityAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }
}
