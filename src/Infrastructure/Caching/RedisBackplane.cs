using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane;

namespace Capacity.Infrastructure.Caching;

/// <summary>
/// A FusionCache backplane over Redis pub/sub: tells the other API instances when an entry changed so they
/// drop their L1 copy. Redis pub/sub ignores the database number, so the channel carries the deployment's
/// key prefix. After a reconnect FusionCache is told, which makes it re-sync what it may have missed.
/// </summary>
internal sealed partial class RedisBackplane(IConnectionMultiplexer redis, string channelPrefix, ILogger<RedisBackplane> logger)
    : IFusionCacheBackplane
{
    private BackplaneSubscriptionOptions? _subscription;
    private RedisChannel _channel;
    private bool _subscribed;

    public void Subscribe(BackplaneSubscriptionOptions options) =>
        SubscribeAsync(options).AsTask().GetAwaiter().GetResult();

    public async ValueTask SubscribeAsync(BackplaneSubscriptionOptions options)
    {
        _subscription = options;
        _channel = RedisChannel.Literal($"{channelPrefix}:{options.ChannelName}");
        await redis.GetSubscriber().SubscribeAsync(_channel, (_, value) => OnMessage(value));
        redis.ConnectionRestored += OnConnectionRestored;
        _subscribed = true;
        await NotifyConnectedAsync(isReconnection: false);
    }

    public void Unsubscribe() => UnsubscribeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask UnsubscribeAsync()
    {
        if (!_subscribed)
        {
            return;
        }

        _subscribed = false;
        redis.ConnectionRestored -= OnConnectionRestored;
        await redis.GetSubscriber().UnsubscribeAsync(_channel);
    }

    public void Publish(BackplaneMessage message, FusionCacheEntryOptions options, CancellationToken token = default) =>
        PublishAsync(message, options, token).AsTask().GetAwaiter().GetResult();

    public async ValueTask PublishAsync(BackplaneMessage message, FusionCacheEntryOptions options, CancellationToken token = default)
    {
        token.ThrowIfCancellationRequested();
        await redis.GetSubscriber().PublishAsync(_channel, BackplaneMessage.ToByteArray(message));
    }

    private void OnMessage(RedisValue value)
    {
        if (_subscription is null || value.IsNullOrEmpty)
        {
            return;
        }

        BackplaneMessage message;
        try
        {
            message = BackplaneMessage.FromByteArray((byte[])value!);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            LogBadMessage(logger, e);
            return;
        }

        if (_subscription.IncomingMessageHandlerAsync is { } handleAsync)
        {
            _ = handleAsync(message);
        }
        else
        {
            _subscription.IncomingMessageHandler?.Invoke(message);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _ = NotifyConnectedAsync(isReconnection: true).AsTask();
        }
    }

    private async ValueTask NotifyConnectedAsync(bool isReconnection)
    {
        var info = new BackplaneConnectionInfo(isReconnection);
        if (_subscription?.ConnectHandlerAsync is { } connectAsync)
        {
            await connectAsync(info);
        }
        else
        {
            _subscription?.ConnectHandler?.Invoke(info);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a backplane message that could not be read.")]
    private static partial void LogBadMessage(ILogger logger, Exception exception);
}
