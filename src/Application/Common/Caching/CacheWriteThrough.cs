using Capacity.Application.Common.Messaging;
using Microsoft.Extensions.Logging;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.Application.Common.Caching;

/// <summary>
/// Writes a command's response into the entries of the queries it answers (<see cref="IWritesThroughCache{TResponse}"/>,
/// decision 012): memory, then Redis, then the backplane message that tells the other instances to read it from there;
/// fresh for each query's duration, with its tags. Redis and the message are awaited (not left to the background as
/// cache writes are), so that another instance's load, looking again before it stores its value, finds this one. The
/// change is committed: the write is not cancelled with the request, and a cache that fails it is logged, never turned
/// into an error for a change that was made (Redis down: FusionCache re-sends the write once it returns).
/// </summary>
public sealed partial class CacheWriteThrough(IFusionCache cache, CacheAreaStatistics areas, TimeProvider clock, ILogger<CacheWriteThrough> logger)
{
    public async ValueTask WriteAsync<TResponse>(string request, IEnumerable<IWrittenThroughQuery<TResponse>> queries, TResponse response)
    {
        var written = new CachedValue<TResponse>(response, clock.GetUtcNow());
        foreach (var query in queries)
        {
            try
            {
                var options = EntryOptions(cache, query.CacheDuration);
                options.AllowBackgroundDistributedCacheOperations = false;
                options.AllowBackgroundBackplaneOperations = false;
                await cache.SetAsync(query.CacheKey, written, options, query.CacheTags);
                areas.RecordSize(query.CacheKey, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(response).LongLength);
            }
            catch (Exception e)
            {
                LogWriteFailed(logger, e, request, query.CacheKey);
                await ForgetAsync(request, query.CacheKey);
            }
        }
    }

    /// <summary>
    /// The cache's defaults with <paramref name="duration"/>. An entry cached longer than fail-safe keeps values (card
    /// images: 4 h against 2 h) is kept for its duration: FusionCache would do the same, logging a warning on every write.
    /// </summary>
    public static FusionCacheEntryOptions EntryOptions(IFusionCache cache, TimeSpan duration)
    {
        var options = cache.CreateEntryOptions(duration: duration);
        if (options.IsFailSafeEnabled && options.FailSafeMaxDuration < duration)
        {
            options.FailSafeMaxDuration = duration;
        }

        return options;
    }

    /// <summary>After a failed write, at least no older value stays fresh here (best effort).</summary>
    private async ValueTask ForgetAsync(string request, string key)
    {
        try
        {
            await cache.ExpireAsync(key);
        }
        catch (Exception e)
        {
            LogWriteFailed(logger, e, request, key);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Request} changed data but could not write it into the cache entry {Key}; lookups may answer the value from before the change until it expires.")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string request, string key);
}
