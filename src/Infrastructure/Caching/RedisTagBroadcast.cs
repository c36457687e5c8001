using System.Text.Json;
using Capacity.Application.Common.Caching;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.Infrastructure.Caching;

/// <summary>
/// Tag invalidations between API instances over Redis pub/sub, batched: tags published while a message is
/// being sent join the next message (self-clocking, as claims join the next claim transaction), so thousands
/// of claims a second on different codes cost a few messages, not one Redis command each. A received message
/// removes its tags from this instance's memory cache. Messages carry the sender's id, so an instance skips
/// its own. With Redis down nothing is sent (one warning, then at most one every 30 s): the other instances'
/// entries then age out within their duration.
/// </summary>
internal sealed partial class RedisTagBroadcast(
    IConnectionMultiplexer redis,
    IFusionCache cache,
    IOptions<CachingOptions> options,
    TimeProvider clock,
    ILogger<RedisTagBroadcast> logger) : ITagBroadcast, IHostedService
{
    /// <summary>Most tags one message carries; more go in the next one.</summary>
    internal const int MaxTagsPerMessage = 2000;

    private static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(30);

    private readonly RedisChannel _channel = RedisChannel.Literal($"{options.Value.KeyPrefix}:tag-invalidations");
    private readonly FusionCacheEntryOptions _removeLocally = TagInvalidator.LocalOnly(options.Value.TagMemoryDuration);
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly Lock _sync = new();
    private HashSet<string> _pending = new(StringComparer.Ordinal);
    private bool _sending;
    private bool _subscribed;
    private DateTimeOffset _lastWarning = DateTimeOffset.MinValue;
    private DateTimeOffset _lastRecovery = DateTimeOffset.MinValue;
    private bool _failing;

    public void Publish(string tag)
    {
        lock (_sync)
        {
            _pending.Add(tag);
            if (_sending)
            {
                return;
            }

            _sending = true;
        }

        _ = Task.Run(SendAsync, CancellationToken.None);
    }

    /// <summary>Sends what is pending, one message at a time, until nothing is.</summary>
    private async Task SendAsync()
    {
        try
        {
            while (TakePending() is { } tags)
            {
                try
                {
                    var message = JsonSerializer.SerializeToUtf8Bytes(new TagMessage(_instance, tags), TagMessageJson.Default.TagMessage);
                    await redis.GetSubscriber().PublishAsync(_channel, message).ConfigureAwait(false);
                    Succeeded();
                }
                catch (Exception e)
                {
                    // Redis down, a command refused, anything: these tags are not sent (the other instances'
                    // entries age out), and the next ones are tried.
                    Failed(e, tags.Length);
                }
            }
        }
        finally
        {
            // Whatever happened, a later Publish must be able to start a sender again.
            lock (_sync)
            {
                _sending = false;
                if (_pending.Count > 0)
                {
                    _sending = true;
                    _ = Task.Run(SendAsync, CancellationToken.None);
                }
            }
        }
    }

    /// <summary>The next message's tags; null (the sender stops) when nothing is pending.</summary>
    private string[]? TakePending()
    {
        lock (_sync)
        {
            if (_pending.Count == 0)
            {
                return null;
            }

            string[] tags;
            if (_pending.Count <= MaxTagsPerMessage)
            {
                tags = [.. _pending];
                _pending = new HashSet<string>(StringComparer.Ordinal);
            }
            else
            {
                tags = [.. _pending.Take(MaxTagsPerMessage)];
                _pending.ExceptWith(tags);
            }

            return tags;
        }
    }

    // Only the one running sender calls these two: no lock needed. Both log at most once per interval, so a
    // Redis that flaps cannot flood the log.
    private void Failed(Exception e, int tags)
    {
        _failing = true;
        var now = clock.GetUtcNow();
        if (now - _lastWarning >= WarningInterval)
        {
            _lastWarning = now;
            LogPublishFailed(logger, e, tags);
        }
    }

    private void Succeeded()
    {
        if (_failing)
        {
            _failing = false;
            if (clock.GetUtcNow() - _lastRecovery >= WarningInterval)
            {
                _lastRecovery = clock.GetUtcNow();
                LogRecovered(logger);
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Registered with the multiplexer even when Redis is down now: it subscribes again on reconnect.
            await redis.GetSubscriber().SubscribeAsync(_channel, (_, value) => OnMessage(value)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogSubscribeFailed(logger, e);
        }

        _subscribed = true;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_subscribed)
        {
            return;
        }

        _subscribed = false;
        try
        {
            await redis.GetSubscriber().UnsubscribeAsync(_channel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Stopping: nothing to do about it.
        }
    }

    private void OnMessage(RedisValue value)
    {
        TagMessage? message;
        try
        {
            message = value.IsNullOrEmpty ? null : JsonSerializer.Deserialize((byte[])value!, TagMessageJson.Default.TagMessage);
        }
        catch (JsonException e)
        {
            LogBadMessage(logger, e);
            return;
        }

        if (message?.Tags is not { } tags || message.From == _instance)
        {
            return;
        }

        foreach (var tag in tags)
        {
            if (!string.IsNullOrEmpty(tag))
            {
                _ = cache.RemoveByTagAsync(tag, _removeLocally).AsTask();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not broadcast {Tags} cache tag invalidations to the other instances; their entries age out instead.")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, int tags);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cache tag invalidations reach the other instances again.")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to cache tag invalidations now; Redis is retried on reconnect.")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a cache tag invalidation message that could not be read.")]
    private static partial void LogBadMessage(ILogger logger, Exception exception);
}

/// <summary>One broadcast: who sent it and which tags to invalidate.</summary>
internal sealed record TagMessage(string From, string[] Tags);

[System.Text.Json.Serialization.JsonSerializable(typeof(TagMessage))]
internal sealed partial class TagMessageJson : System.Text.Json.Serialization.JsonSerializerContext;
