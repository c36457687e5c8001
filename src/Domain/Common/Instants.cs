namespace Capacity.Domain.Common;

/// <summary>Instants as PostgreSQL keeps them: UTC, to the microsecond (.NET has 100 ns ticks).</summary>
public static class Instants
{
    /// <summary>The instant as it will read back from the database, so an answer made before storing equals one read after.</summary>
    public static DateTimeOffset AsStored(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
    }
}
