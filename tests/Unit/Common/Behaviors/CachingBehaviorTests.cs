using Capacity.Application.Common.Caching;
using Capacity.Application.Common.Metrics;
using Capacity.Application.Common.Behaviors;
using Capacity.Application.Common.Messaging;
using Capacity.Application.Common.Resilience;
using Capacity.Domain.Common;
using Capacity.UnitTests.Common.Resilience;
using Mediator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.UnitTests.Common.Behaviors;

public sealed class CachingBehaviorTests : IDisposable
{
    private static readonly Error Conflict = new("conflict", "Refused.", ErrorKind.Conflict);

    private readonly FusionCache _cache = new(new FusionCacheOptions
    {
        DefaultEntryOptions = new FusionCacheEntryOptions
        {
            IsFailSafeEnabled = true,
            FailSafeMaxDuration = TimeSpan.FromHours(1),
        },
    });

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private readonly CachingBehavior<Lookup, Result<string>> _lookups;
    private readonly CachingBehavior<Change, Result<string>> _changes;
    private int _reads;

    public CachingBehaviorTests()
    {
        _lookups = new(_cache, Invalidator(new CachingOptions()), WriteThrough(), new OperationMonitor(), new CacheAreaStatistics(_cache), _clock);
        _changes = new(_cache, Invalidator(new CachingOptions()), WriteThrough(), new OperationMonitor(), new CacheAreaStatistics(_cache), _clock);
    }

    public void Dispose() => _cache.Dispose();

    private TagInvalidator Invalidator(CachingOptions options) => new(_cache, Options.Create(options));

    private CacheWriteThrough WriteThrough() =>
        new(_cache, new CacheAreaStatistics(_cache), _clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<CacheWriteThrough>.Instance);

    private ValueTask<Result<string>> Read(Lookup query) =>
        _lookups.Handle(query, (_, _) =>
        {
            _reads++;
            return ValueTask.FromResult<Result<string>>($"value {_reads}");
        }, CancellationToken.None);

    [Fact]
    public async Task A_first_read_is_a_miss_and_the_next_a_hit_with_no_age()
    {
        var query = new Lookup("served", "tag:served");

        var first = CacheServe.Begin();
        await Read(query);
        var second = CacheServe.Begin();
        await Read(query);

        Assert.Equal((CacheOutcome.Miss, (TimeSpan?)null), (first.Outcome, first.Age));
        Assert.Equal((CacheOutcome.Hit, (TimeSpan?)null), (second.Outcome, second.Age));
    }

    [Fact]
    public async Task A_value_fail_safe_serves_after_a_failed_refresh_is_stale_with_its_age()
    {
        var query = new Lookup("stale", "tag:stale");
        await Read(query);
        _clock.Advance(TimeSpan.FromSeconds(42));
        await _cache.ExpireAsync(query.CacheKey);

        var serve = CacheServe.Begin();
        var answer = await _lookups.Handle(query, (_, _) => throw new TimeoutException("the database did not answer"), CancellationToken.None);

        Assert.Equal("value 1", answer.Value);
        Assert.Equal((CacheOutcome.Stale, (TimeSpan?)TimeSpan.FromSeconds(42)), (serve.Outcome, serve.Age));
    }

    [Fact]
    public async Task A_value_older_than_its_duration_is_stale_even_when_the_cache_served_it_without_a_refresh()
    {
        // Fail-safe keeps serving a value for a while after a failed refresh without trying again (its throttle).
        var query = new Lookup("old", "tag:old", TimeSpan.FromMinutes(1));
        await Read(query);
        _clock.Advance(TimeSpan.FromMinutes(3));

        var serve = CacheServe.Begin();
        await Read(query);

        Assert.Equal(1, _reads);
        Assert.Equal((CacheOutcome.Stale, (TimeSpan?)TimeSpan.FromMinutes(3)), (serve.Outcome, serve.Age));
    }

    [Fact]
    public async Task The_value_a_failed_refresh_served_stays_stale_while_fail_safe_re_serves_it_and_a_fresh_read_clears_it()
    {
        var query = new Lookup("throttled", "tag:throttled");
        await Read(query);
        await _cache.ExpireAsync(query.CacheKey);
        await _lookups.Handle(query, (_, _) => throw new TimeoutException("the database did not answer"), CancellationToken.None);

        var again = CacheServe.Begin();
        await _lookups.Handle(query, (_, _) => throw new TimeoutException("the database did not answer"), CancellationToken.None);
        Assert.Equal(CacheOutcome.Stale, again.Outcome);

        await _cache.RemoveAsync(query.CacheKey);
        var fresh = CacheServe.Begin();
        await Read(query);
        var hit = CacheServe.Begin();
        await Read(query);
        Assert.Equal((CacheOutcome.Miss, CacheOutcome.Hit), (fresh.Outcome!.Value, hit.Outcome!.Value));
    }

    [Fact]
    public async Task Handler_runs_once_when_the_same_query_is_read_twice()
    {
        var query = new Lookup("a", "tag:a");

        var first = await Read(query);
        var second = await Read(query);

        Assert.Equal(1, _reads);
        Assert.Equal("value 1", first.Value);
        Assert.Equal("value 1", second.Value);
    }

    [Fact]
    public async Task Handler_runs_for_each_key_when_queries_have_different_keys()
    {
        var a = await Read(new Lookup("a", "tag:a"));
        var b = await Read(new Lookup("b", "tag:b"));

        Assert.Equal(2, _reads);
        Assert.NotEqual(a.Value, b.Value);
    }

    [Fact]
    public async Task Handler_runs_again_when_the_entry_has_expired()
    {
        var query = new Lookup("a", "tag:a");
        await Read(query);

        await _cache.ExpireAsync(query.CacheKey);
        var refreshed = await Read(query);

        Assert.Equal(2, _reads);
        Assert.Equal("value 2", refreshed.Value);
    }

    [Fact]
    public async Task Stale_value_is_served_when_the_handler_fails_after_expiry()
    {
        var query = new Lookup("a", "tag:a");
        await Read(query);
        await _cache.ExpireAsync(query.CacheKey);
        var ran = false;

        var response = await _lookups.Handle(query, (_, _) =>
        {
            ran = true;
            throw new TimeoutException();
        }, CancellationToken.None);

        Assert.True(ran);
        Assert.Equal("value 1", response.Value);
    }

    [Fact]
    public async Task Stale_value_is_served_when_the_breaker_is_open_after_expiry()
    {
        // The production order: caching outside the breaker, so an open breaker fails the factory fast.
        var breaker = DatabaseCircuitBreakerTests.Create(
            new FakeTimeProvider(), new DatabaseCircuitBreakerTests.FakeDatabaseFaults());
        await OpenAsync(breaker);
        var guarded = new CircuitBreakerBehavior<Lookup, Result<string>>(breaker);
        var query = new Lookup("a", "tag:a");
        await Read(query);
        await _cache.ExpireAsync(query.CacheKey);

        var response = await _lookups.Handle(
            query, (m, ct) => guarded.Handle(m, (_, _) => throw new InvalidOperationException("handler ran"), ct),
            CancellationToken.None);

        Assert.Equal("value 1", response.Value);
    }

    [Fact]
    public async Task Exception_propagates_when_there_is_no_previous_value()
    {
        var query = new Lookup("never-read", "tag:x");

        await Assert.ThrowsAsync<TimeoutException>(() =>
            _lookups.Handle(query, (_, _) => throw new TimeoutException(), CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task BrokenCircuitException_propagates_when_there_is_no_previous_value()
    {
        var query = new Lookup("never-read", "tag:x");

        await Assert.ThrowsAsync<BrokenCircuitException>(() =>
            _lookups.Handle(query, (_, _) => throw new BrokenCircuitException(), CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Lookups_are_counted_as_a_miss_then_a_hit_when_read_twice()
    {
        using var lookups = new MeasurementRecorder<long>("capacity.cache.lookups", "CachingBehaviorTests.Lookup");
        var query = new Lookup("a", "tag:a");

        await Read(query);
        await Read(query);

        Assert.Equal(["miss", "hit"], lookups.Measurements.Select(m => m.Tags["result"]));
        Assert.All(lookups.Measurements, m => Assert.Equal(1, m.Value));
    }

    [Fact]
    public async Task Tagged_entries_are_removed_when_an_invalidating_command_succeeds()
    {
        var tagged = new Lookup("a", "tag:a");
        var other = new Lookup("b", "tag:b");
        await Read(tagged);
        await Read(other);

        await _changes.Handle(new Change("tag:a"), (_, _) => ValueTask.FromResult<Result<string>>("done"), CancellationToken.None);
        var afterChange = await Read(tagged);
        await Read(other);

        Assert.Equal(3, _reads);
        Assert.Equal("value 3", afterChange.Value);
    }

    [Fact]
    public async Task Tagged_entries_are_kept_when_an_invalidating_command_returns_an_error()
    {
        var tagged = new Lookup("a", "tag:a");
        await Read(tagged);

        var response = await _changes.Handle(
            new Change("tag:a"), (_, _) => ValueTask.FromResult<Result<string>>(Conflict), CancellationToken.None);
        var afterChange = await Read(tagged);

        Assert.Same(Conflict, response.Error);
        Assert.Equal(1, _reads);
        Assert.Equal("value 1", afterChange.Value);
    }

    [Fact]
    public async Task Tags_are_asked_with_the_commands_response_when_it_succeeds()
    {
        var command = new Change("tag:a");

        var response = await _changes.Handle(command, (_, _) => ValueTask.FromResult<Result<string>>("done"), CancellationToken.None);

        Assert.Same(response, command.AskedWith);
    }

    [Fact]
    public async Task Handler_is_called_with_its_message_when_it_is_not_cached()
    {
        var command = new Change("tag:a");
        Change? seen = null;

        await _changes.Handle(command, (m, _) =>
        {
            seen = m;
            return ValueTask.FromResult<Result<string>>("done");
        }, CancellationToken.None);

        Assert.Same(command, seen);
    }

    [Fact]
    public async Task A_write_through_command_makes_its_response_the_answer_without_a_load_and_fail_safe_never_answers_the_older_one()
    {
        var writes = Behavior<Write>();
        var reads = Behavior<WrittenLookup>();
        var lookup = new WrittenLookup("member");
        await reads.Handle(lookup, (_, _) => ValueTask.FromResult<Result<string>>("before"), CancellationToken.None);

        await writes.Handle(new Write("member", "after"), (c, _) => ValueTask.FromResult<Result<string>>(c.Value), CancellationToken.None);
        var fresh = CacheServe.Begin();
        var answer = await reads.Handle(lookup, (_, _) => throw new TimeoutException("the database did not answer"), CancellationToken.None);

        // Not an expired entry that fail-safe would fall back on: the change itself, a hit.
        Assert.Equal(("after", CacheOutcome.Hit), (answer.Value, fresh.Outcome!.Value));
    }

    [Fact]
    public async Task A_load_that_read_the_row_before_a_write_through_does_not_put_the_older_value_back()
    {
        var writes = Behavior<Write>();
        var reads = Behavior<WrittenLookup>();
        var lookup = new WrittenLookup("racing");
        var loading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The load reads the row (before the change), then stalls; the change commits and writes through meanwhile.
        var racing = reads.Handle(lookup, async (_, _) =>
        {
            loading.SetResult();
            await release.Task;
            return "read before the change";
        }, CancellationToken.None).AsTask();
        await loading.Task;
        await writes.Handle(new Write("racing", "the change"), (c, _) => ValueTask.FromResult<Result<string>>(c.Value), CancellationToken.None);
        release.SetResult();

        Assert.Equal("the change", (await racing).Value);
        var next = await reads.Handle(lookup, (_, _) => ValueTask.FromResult<Result<string>>("a later load"), CancellationToken.None);
        Assert.Equal("the change", next.Value);
    }

    [Fact]
    public async Task A_failed_command_writes_nothing_through()
    {
        var writes = Behavior<Write>();
        var reads = Behavior<WrittenLookup>();
        var lookup = new WrittenLookup("refused");
        await reads.Handle(lookup, (_, _) => ValueTask.FromResult<Result<string>>("before"), CancellationToken.None);

        await writes.Handle(new Write("refused", "after"), (_, _) => ValueTask.FromResult<Result<string>>(Conflict), CancellationToken.None);

        Assert.Equal("before", (await reads.Handle(lookup, (_, _) => ValueTask.FromResult<Result<string>>("reloaded"), CancellationToken.None)).Value);
    }

    [Fact]
    public async Task A_value_read_before_the_load_began_that_lands_during_it_does_not_win_over_the_loads_own()
    {
        var reads = Behavior<WrittenLookup>();
        var lookup = new WrittenLookup("older");
        var loading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racing = reads.Handle(lookup, async (_, _) =>
        {
            loading.SetResult();
            await release.Task;
            return "this load's";
        }, CancellationToken.None).AsTask();
        await loading.Task;

        // Another instance's load, read a second before this one began, stores its value meanwhile.
        await _cache.SetAsync(lookup.CacheKey, new CachedValue<Result<string>>("read earlier", _clock.GetUtcNow().AddSeconds(-1)));
        release.SetResult();

        Assert.Equal("this load's", (await racing).Value);
    }

    [Fact]
    public async Task A_load_failing_for_another_reason_than_the_database_is_logged_and_an_open_breaker_or_a_down_database_is_not()
    {
        var log = new RecordingLogger<CachingBehavior<Lookup, Result<string>>>();
        var reads = new CachingBehavior<Lookup, Result<string>>(
            _cache, Invalidator(new CachingOptions()), WriteThrough(), new OperationMonitor(), new CacheAreaStatistics(_cache), _clock, log,
            new DatabaseCircuitBreakerTests.FakeDatabaseFaults());

        await Assert.ThrowsAsync<BrokenCircuitException>(() =>
            reads.Handle(new Lookup("open", "tag:open"), (_, _) => throw new BrokenCircuitException(), CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<TimeoutException>(() =>
            reads.Handle(new Lookup("down", "tag:down"), (_, _) => throw new TimeoutException(), CancellationToken.None).AsTask());
        Assert.Empty(log.Entries);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            reads.Handle(new Lookup("bug", "tag:bug"), (_, _) => throw new InvalidOperationException("a bug"), CancellationToken.None).AsTask());
        Assert.Equal([(LogLevel.Warning, "a bug")], log.Entries);
    }

    private sealed class RecordingLogger<T> : ILogger<T>
    {
        public List<(LogLevel Level, string? Exception)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, exception?.Message));
    }

    private CachingBehavior<T, Result<string>> Behavior<T>()
        where T : notnull, IMessage =>
        new(_cache, Invalidator(new CachingOptions()), WriteThrough(), new OperationMonitor(), new CacheAreaStatistics(_cache), _clock);

    public sealed record WrittenLookup(string Key) : IWrittenThroughQuery<Result<string>>
    {
        public string CacheKey => $"caching-behavior-tests:written:{Key}";

        public TimeSpan CacheDuration => TimeSpan.FromHours(1);

        public IReadOnlyCollection<string> CacheTags => [];
    }

    public sealed record Write(string Key, string Value) : ICommand<Result<string>>, IWritesThroughCache<Result<string>>
    {
        public IEnumerable<IWrittenThroughQuery<Result<string>>> CachedQueriesAnswered(Result<string> response) => [new WrittenLookup(Key)];
    }

    private static async Task OpenAsync(DatabaseCircuitBreaker breaker)
    {
        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<TimeoutException>(() =>
                breaker.ExecuteAsync<int>(_ => throw new TimeoutException(), CancellationToken.None).AsTask());
        }

        Assert.Equal(CircuitState.Open, breaker.State);
    }

    [Fact]
    public async Task Tags_go_to_the_broadcast_only_when_the_command_declares_batched_delivery()
    {
        var broadcast = new RecordingBroadcast();
        var invalidator = new TagInvalidator(_cache, Options.Create(new CachingOptions()), broadcast);
        var batched = new CachingBehavior<BatchedChange, Result<string>>(_cache, invalidator, WriteThrough(), new OperationMonitor(), new CacheAreaStatistics(_cache), _clock);
        var durable = new CachingBehavior<Change, Result<string>>(_cache, invalidator, WriteThrough(), new OperationMonitor(), new CacheAreaStatistics(_cache), _clock);

        await batched.Handle(new BatchedChange("tag:batched"), (_, _) => ValueTask.FromResult<Result<string>>("done"), CancellationToken.None);
        await durable.Handle(new Change("tag:durable"), (_, _) => ValueTask.FromResult<Result<string>>("done"), CancellationToken.None);

        Assert.Equal(["tag:batched"], broadcast.Tags);
    }

    [Fact]
    public async Task Tagged_query_cached_4_hours_is_read_through_the_cache_with_the_default_tag_memory()
    {
        // The longest duration the seeds ask for (QR codes, 4 h; member data and rooms 1 h).
        var query = new Lookup("qr", "tag:qr", TimeSpan.FromHours(4));

        var first = await Read(query);
        var second = await Read(query);

        Assert.Equal(1, _reads);
        Assert.Equal(first.Value, second.Value);
    }

    [Fact]
    public async Task Tagged_query_cached_4_hours_is_invalidated_by_its_tag()
    {
        var query = new Lookup("qr", "tag:qr", TimeSpan.FromHours(4));
        await Read(query);

        await _changes.Handle(new Change("tag:qr"), (_, _) => ValueTask.FromResult<Result<string>>("done"), CancellationToken.None);
        var afterChange = await Read(query);

        Assert.Equal("value 2", afterChange.Value);
    }

    [Fact]
    public async Task Tagged_query_cached_longer_than_the_tag_memory_is_refused_naming_the_setting()
    {
        var behavior = new CachingBehavior<Lookup, Result<string>>(
            _cache, Invalidator(new CachingOptions { TagMemoryDuration = TimeSpan.FromHours(2) }), WriteThrough(), new OperationMonitor(), new CacheAreaStatistics(_cache), _clock);
        var query = new Lookup("long", "tag:long", TimeSpan.FromHours(3));

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await behavior.Handle(query, (_, _) => ValueTask.FromResult<Result<string>>("value"), CancellationToken.None));

        Assert.Contains("Caching:TagMemoryDuration", refused.Message);
        Assert.Contains("03:00:00", refused.Message);
        Assert.Contains("02:00:00", refused.Message);
    }

    [Fact]
    public async Task Tagged_query_cached_longer_than_the_default_tag_memory_is_refused()
    {
        var query = new Lookup("long", "tag:long", new CachingOptions().TagMemoryDuration + TimeSpan.FromMinutes(1));

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Read(query));
        Assert.Equal(0, _reads);
    }

    [Fact]
    public async Task Untagged_query_cached_longer_than_the_tag_memory_is_accepted()
    {
        var behavior = new CachingBehavior<Untagged, Result<string>>(
            _cache, Invalidator(new CachingOptions { TagMemoryDuration = TimeSpan.FromHours(1) }), WriteThrough(), new OperationMonitor(), new CacheAreaStatistics(_cache), _clock);

        var response = await behavior.Handle(
            new Untagged(), (_, _) => ValueTask.FromResult<Result<string>>("value"), CancellationToken.None);

        Assert.Equal("value", response.Value);
    }

    [Fact]
    public void Default_tag_memory_covers_the_longest_seed_duration_with_margin()
    {
        var defaults = new CachingOptions();

        Assert.True(defaults.TagMemoryDuration >= TimeSpan.FromHours(4) * 1.5, $"{defaults.TagMemoryDuration}");
        Assert.True(Validates(defaults));
    }

    [Theory]
    [InlineData("00:00:30")]
    [InlineData("8.00:00:00")]
    public void Tag_memory_outside_its_range_is_refused_at_start(string duration)
    {
        var options = new CachingOptions { TagMemoryDuration = TimeSpan.Parse(duration, System.Globalization.CultureInfo.InvariantCulture) };

        Assert.False(Validates(options));
    }

    private static bool Validates(CachingOptions options) =>
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(
            options, new System.ComponentModel.DataAnnotations.ValidationContext(options), null, validateAllProperties: true);

    public sealed record Lookup(string Key, string Tag, TimeSpan? Duration = null) : ICachedQuery<Result<string>>
    {
        public string CacheKey => $"caching-behavior-tests:{Key}";

        public TimeSpan CacheDuration => Duration ?? TimeSpan.FromMinutes(5);

        public IReadOnlyCollection<string> CacheTags => [Tag];
    }

    public sealed record Untagged : ICachedQuery<Result<string>>
    {
        public string CacheKey => "caching-behavior-tests:untagged";

        public TimeSpan CacheDuration => TimeSpan.FromDays(1);

        public IReadOnlyCollection<string> CacheTags => [];
    }

    public sealed record BatchedChange(string Tag) : ICommand<Result<string>>, IInvalidatesCache<Result<string>>
    {
        public IEnumerable<string> CacheTagsToInvalidate(Result<string> response) => [Tag];

        CacheTagDelivery IInvalidatesCache<Result<string>>.TagDelivery => CacheTagDelivery.Batched;
    }

    private sealed class RecordingBroadcast : ITagBroadcast
    {
        public List<string> Tags { get; } = [];

        public void Publish(string tag) => Tags.Add(tag);
    }

    public sealed record Change(string Tag) : ICommand<Result<string>>, IInvalidatesCache<Result<string>>
    {
        public Result<string>? AskedWith { get; private set; }

        public IEnumerable<string> CacheTagsToInvalidate(Result<string> response)
        {
            AskedWith = response;
            return [Tag];
        }
    }
}
