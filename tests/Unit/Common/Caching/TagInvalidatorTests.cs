using Capacity.Application.Common.Caching;
using Capacity.Application.Common.Messaging;
using Capacity.Infrastructure.Caching;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.UnitTests.Common.Caching;

public sealed class TagInvalidatorTests : IDisposable
{
    private readonly CountingDistributedCache _l2 = new();
    private readonly FusionCache _cache;
    private readonly RecordingBroadcast _broadcast = new();

    public TagInvalidatorTests()
    {
        _cache = new FusionCache(new FusionCacheOptions());
        _cache.SetupSerializer(CachingSetup.CreateSerializer());
        _cache.SetupDistributedCache(_l2);
    }

    public void Dispose() => _cache.Dispose();

    private TagInvalidator Invalidator(ITagBroadcast? broadcast = null) =>
        new(_cache, Options.Create(new CachingOptions()), broadcast);

    [Theory]
    [InlineData(CacheTagDelivery.Batched)]
    [InlineData(CacheTagDelivery.Durable)]
    public async Task Tagged_entry_is_gone_when_the_invalidation_completes(CacheTagDelivery delivery)
    {
        var invalidator = Invalidator(_broadcast);
        await _cache.SetAsync("entry", "value", tags: ["code:A"]);
        await _cache.SetAsync("other", "value", tags: ["code:B"]);

        await invalidator.InvalidateAsync("code:A", delivery);

        Assert.False((await _cache.TryGetAsync<string>("entry")).HasValue);
        Assert.True((await _cache.TryGetAsync<string>("other")).HasValue);
    }

    [Fact]
    public async Task Batched_invalidation_is_handed_to_the_broadcast_for_the_other_instances()
    {
        var invalidator = Invalidator(_broadcast);

        await invalidator.InvalidateAsync("code:A", CacheTagDelivery.Batched);
        await invalidator.InvalidateAsync("code:B", CacheTagDelivery.Batched);

        Assert.Equal(["code:A", "code:B"], _broadcast.Tags);
    }

    [Fact]
    public async Task Batched_invalidation_costs_no_distributed_cache_command()
    {
        var invalidator = Invalidator(_broadcast);
        await _cache.SetAsync("entry", "value", tags: ["code:A"]);
        var commandsBefore = _l2.Commands;

        await invalidator.InvalidateAsync("code:A", CacheTagDelivery.Batched);

        Assert.Equal(commandsBefore, _l2.Commands);
    }

    [Fact]
    public async Task Durable_invalidation_is_not_broadcast_but_written_to_the_distributed_cache()
    {
        var invalidator = Invalidator(_broadcast);
        var commandsBefore = _l2.Commands;

        await invalidator.InvalidateAsync("code:A", CacheTagDelivery.Durable);

        Assert.Empty(_broadcast.Tags);
        Assert.True(_l2.Commands > commandsBefore);
    }

    [Fact]
    public async Task Durable_invalidation_reaches_an_instance_that_reads_the_entry_from_the_distributed_cache()
    {
        // Another instance that missed every message still finds the tag's timestamp in L2 (what Batched does not give).
        await _cache.SetAsync("entry", "old", new FusionCacheEntryOptions(TimeSpan.FromHours(4)), tags: ["qr:A"]);
        await Task.Delay(5);
        await Invalidator().InvalidateAsync("qr:A", CacheTagDelivery.Durable);
        using var other = new FusionCache(new FusionCacheOptions());
        other.SetupSerializer(CachingSetup.CreateSerializer());
        other.SetupDistributedCache(_l2);

        var read = await other.TryGetAsync<string>("entry");

        Assert.False(read.HasValue);
    }

    [Fact]
    public async Task Without_a_broadcast_the_local_entry_is_still_invalidated()
    {
        var invalidator = Invalidator();
        await _cache.SetAsync("entry", "value", tags: ["code:A"]);

        await invalidator.InvalidateAsync("code:A", CacheTagDelivery.Batched);

        Assert.False((await _cache.TryGetAsync<string>("entry")).HasValue);
    }

    [Theory]
    [InlineData(CacheTagDelivery.Batched)]
    [InlineData(CacheTagDelivery.Durable)]
    public async Task An_entry_written_after_the_invalidation_is_served(CacheTagDelivery delivery)
    {
        var invalidator = Invalidator(_broadcast);
        await invalidator.InvalidateAsync("code:A", delivery);
        await Task.Delay(5);

        await _cache.SetAsync("entry", "fresh", tags: ["code:A"]);

        Assert.Equal("fresh", (await _cache.TryGetAsync<string>("entry")).Value);
    }

    [Fact]
    public void Invalidations_are_remembered_for_the_configured_tag_memory()
    {
        var invalidator = new TagInvalidator(_cache, Options.Create(new CachingOptions { TagMemoryDuration = TimeSpan.FromHours(5) }));

        Assert.Equal(TimeSpan.FromHours(5), invalidator.MemoryDuration);
    }

    [Fact]
    public async Task Tagged_entry_read_back_through_the_distributed_cache_survives_the_round_trip()
    {
        // The L2 serializer gets FusionCache's envelopes (and long tag entries), not only our values.
        await _cache.SetAsync("entry", new Payload("A", 3, Kind.Bulk), new FusionCacheEntryOptions(TimeSpan.FromMinutes(1)), tags: ["code:A"]);
        using var reader = new FusionCache(new FusionCacheOptions());
        reader.SetupSerializer(CachingSetup.CreateSerializer());
        reader.SetupDistributedCache(_l2);

        var read = await reader.TryGetAsync<Payload>("entry");

        Assert.Equal(new Payload("A", 3, Kind.Bulk), read.Value);
    }

    [Fact]
    public void Value_tuple_survives_the_serializer_round_trip()
    {
        // What FusionCache's advisor checks at start (it warns when a System.Text.Json serializer loses them).
        var serializer = CachingSetup.CreateSerializer();

        Assert.Equal((1, "a"), serializer.Deserialize<(int, string)>(serializer.Serialize((1, "a"))));
    }

    public enum Kind
    {
        Single,
        Bulk,
    }

    public sealed record Payload(string Code, int Usage, Kind Kind);

    private sealed class RecordingBroadcast : ITagBroadcast
    {
        public List<string> Tags { get; } = [];

        public void Publish(string tag) => Tags.Add(tag);
    }

    /// <summary>An in-memory L2 that counts the commands it gets.</summary>
    private sealed class CountingDistributedCache : IDistributedCache
    {
        private readonly MemoryDistributedCache _inner = new(Options.Create(new MemoryDistributedCacheOptions()));
        private int _commands;

        public int Commands => Volatile.Read(ref _commands);

        public byte[]? Get(string key) => Count(() => _inner.Get(key));

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Count(() => _inner.GetAsync(key, token));

        public void Refresh(string key) => Count(() => { _inner.Refresh(key); return 0; });

        public Task RefreshAsync(string key, CancellationToken token = default) => Count(() => _inner.RefreshAsync(key, token));

        public void Remove(string key) => Count(() => { _inner.Remove(key); return 0; });

        public Task RemoveAsync(string key, CancellationToken token = default) => Count(() => _inner.RemoveAsync(key, token));

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) =>
            Count(() => { _inner.Set(key, value, options); return 0; });

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
            Count(() => _inner.SetAsync(key, value, options, token));

        private T Count<T>(Func<T> command)
        {
            Interlocked.Increment(ref _commands);
            return command();
        }
    }
}
