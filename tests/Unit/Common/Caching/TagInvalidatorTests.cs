using Capacity.Application.Common.Caching;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.UnitTests.Common.Caching;

public sealed class TagInvalidatorTests : IDisposable
{
    private readonly FusionCache _cache = new(new FusionCacheOptions { EnableSyncEventHandlersExecution = true });
    private readonly ManualResetEventSlim _firstRemovalMayFinish = new(initialState: true);
    private readonly ManualResetEventSlim _firstRemovalStarted = new();
    private int _tagWrites;

    public TagInvalidatorTests()
    {
        // RemoveByTag records the tag's removal time as an entry of its own: one write per removal. The handler
        // runs synchronously inside the removal, so it can hold the first removal in flight.
        _cache.Events.Set += (_, e) =>
        {
            if (e.Key.Contains("hot", StringComparison.Ordinal) && Interlocked.Increment(ref _tagWrites) == 1)
            {
                _firstRemovalStarted.Set();
                _firstRemovalMayFinish.Wait(TimeSpan.FromSeconds(10));
            }
        };
    }

    public void Dispose()
    {
        _cache.Dispose();
        _firstRemovalMayFinish.Dispose();
        _firstRemovalStarted.Dispose();
    }

    [Fact]
    public async Task Tagged_entry_is_gone_when_the_invalidation_completes()
    {
        var invalidator = new TagInvalidator(_cache);
        await _cache.SetAsync("entry", "value", tags: ["hot"]);

        await invalidator.InvalidateAsync("hot");

        Assert.False((await _cache.TryGetAsync<string>("entry")).HasValue);
    }

    [Fact]
    public async Task Invalidations_asked_while_a_removal_runs_join_one_next_removal()
    {
        var invalidator = new TagInvalidator(_cache);
        _firstRemovalMayFinish.Reset();
        var first = invalidator.InvalidateAsync("hot");
        Assert.True(_firstRemovalStarted.Wait(TimeSpan.FromSeconds(10)));

        await _cache.SetAsync("entry", "value", tags: ["hot"]);
        var joined = Enumerable.Range(0, 400).Select(_ => invalidator.InvalidateAsync("hot")).ToArray();
        _firstRemovalMayFinish.Set();
        await first;
        await Task.WhenAll(joined);

        _ = Assert.Single(joined.Distinct());
        Assert.Equal(2, _tagWrites);
        Assert.False((await _cache.TryGetAsync<string>("entry")).HasValue);
    }

    [Fact]
    public async Task An_invalidation_asked_after_a_removal_started_gets_a_removal_of_its_own()
    {
        var invalidator = new TagInvalidator(_cache);
        await invalidator.InvalidateAsync("hot");
        var writesAfterFirst = _tagWrites;

        // The entry is written after the first removal: only a new removal can take it out.
        await _cache.SetAsync("entry", "value", tags: ["hot"]);
        await invalidator.InvalidateAsync("hot");

        Assert.False((await _cache.TryGetAsync<string>("entry")).HasValue);
        Assert.True(_tagWrites > writesAfterFirst);
    }
}
