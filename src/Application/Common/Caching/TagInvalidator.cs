using ZiggyCreatures.Caching.Fusion;

namespace Capacity.Application.Common.Caching;

/// <summary>
/// Removes cache entries by tag, coalescing concurrent requests for the same tag the way claims coalesce:
/// while one removal of a tag runs, the requests that arrive join ONE next removal, which starts after it.
/// Every caller still gets a removal that starts after its call (so after its change was committed), but a
/// batch of 400 claims of one code costs two removals, not 400 writes to Redis and the backplane.
/// </summary>
public sealed class TagInvalidator(IFusionCache cache)
{
    private readonly Dictionary<string, TagState> _tags = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();

    public Task InvalidateAsync(string tag)
    {
        TagState state;
        lock (_sync)
        {
            if (!_tags.TryGetValue(tag, out state!))
            {
                state = new TagState();
                _tags[tag] = state;
            }

            if (state.Next is { } next)
            {
                // A removal that has not started yet: it starts after this call, so it covers it.
                return next;
            }

            // Both start with an await that always yields, so nothing runs under this lock but their start.
            return state.Running is { } running
                ? state.Next = RemoveAfterAsync(tag, state, running)
                : state.Running = RemoveAsync(tag, state);
        }
    }

    private async Task RemoveAfterAsync(string tag, TagState state, Task before)
    {
        try
        {
            await Task.Yield();
            await before.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The earlier removal's failure belongs to its own callers; this one is tried anyway.
        }

        lock (_sync)
        {
            state.Running = state.Next;
            state.Next = null;
        }

        await RemoveAsync(tag, state).ConfigureAwait(false);
    }

    private async Task RemoveAsync(string tag, TagState state)
    {
        try
        {
            await Task.Yield();
            await cache.RemoveByTagAsync(tag).ConfigureAwait(false);
        }
        finally
        {
            lock (_sync)
            {
                if (state.Next is null)
                {
                    state.Running = null;
                    _tags.Remove(tag);
                }
            }
        }
    }

    private sealed class TagState
    {
        public Task? Running { get; set; }

        public Task? Next { get; set; }
    }
}
