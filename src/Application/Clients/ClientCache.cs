namespace Capacity.Application.Clients;

/// <summary>Cache keys, tags and freshness of API key checks, named in one place.</summary>
public static class ClientCache
{
    /// <summary>
    /// How long a key check is remembered. A revocation removes the entry on every instance at once (through the
    /// backplane); this bounds a key's life only where that message was lost.
    /// </summary>
    public static readonly TimeSpan KeyDuration = TimeSpan.FromSeconds(30);

    /// <summary>The entry of a key's check, by its visible prefix (never the key itself).</summary>
    public static string KeyEntry(string prefix) => $"client-key:{prefix}";
}
