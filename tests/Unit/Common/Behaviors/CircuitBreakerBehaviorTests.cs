using Capacity.Application.Common.Behaviors;
using Capacity.Application.Common.Messaging;
using Capacity.Application.Common.Resilience;
using Capacity.UnitTests.Common.Resilience;
using Mediator;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace Capacity.UnitTests.Common.Behaviors;

public sealed class CircuitBreakerBehaviorTests
{
    private readonly DatabaseCircuitBreaker _breaker =
        DatabaseCircuitBreakerTests.Create(new FakeTimeProvider(), new DatabaseCircuitBreakerTests.FakeDatabaseFaults());

    private int _calls;

    private ValueTask<int> Succeed<TMessage>(TMessage message, CancellationToken cancellationToken)
    {
        _calls++;
        return ValueTask.FromResult(1);
    }

    private ValueTask<int> TimeOut<TMessage>(TMessage message, CancellationToken cancellationToken)
    {
        _calls++;
        throw new TimeoutException();
    }

    private async Task OpenBreaker()
    {
        var behavior = new CircuitBreakerBehavior<DatabaseQuery, int>(_breaker);
        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<TimeoutException>(() =>
                behavior.Handle(new DatabaseQuery(), TimeOut, CancellationToken.None).AsTask());
        }

        Assert.Equal(CircuitState.Open, _breaker.State);
        _calls = 0;
    }

    [Fact]
    public async Task Database_bound_failures_open_the_breaker_when_the_database_is_unavailable()
    {
        await OpenBreaker();
    }

    [Fact]
    public async Task Other_failures_do_not_count_when_message_is_not_database_bound()
    {
        var behavior = new CircuitBreakerBehavior<MemoryQuery, int>(_breaker);

        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<TimeoutException>(() =>
                behavior.Handle(new MemoryQuery(), TimeOut, CancellationToken.None).AsTask());
        }

        Assert.Equal(CircuitState.Closed, _breaker.State);
    }

    [Fact]
    public async Task Database_bound_message_fails_fast_without_its_handler_when_breaker_is_open()
    {
        await OpenBreaker();
        var behavior = new CircuitBreakerBehavior<DatabaseQuery, int>(_breaker);

        await Assert.ThrowsAsync<BrokenCircuitException>(() =>
            behavior.Handle(new DatabaseQuery(), Succeed, CancellationToken.None).AsTask());

        Assert.Equal(0, _calls);
    }

    [Fact]
    public async Task Other_message_reaches_its_handler_when_breaker_is_open()
    {
        await OpenBreaker();
        var behavior = new CircuitBreakerBehavior<MemoryQuery, int>(_breaker);

        var response = await behavior.Handle(new MemoryQuery(), Succeed, CancellationToken.None);

        Assert.Equal(1, response);
        Assert.Equal(1, _calls);
    }

    [Fact]
    public async Task Database_bound_message_reaches_its_handler_when_breaker_is_closed()
    {
        var behavior = new CircuitBreakerBehavior<DatabaseQuery, int>(_breaker);

        var response = await behavior.Handle(new DatabaseQuery(), Succeed, CancellationToken.None);

        Assert.Equal(1, response);
        Assert.Equal(1, _calls);
    }

    public sealed record DatabaseQuery : IQuery<int>;

    public sealed record MemoryQuery : IQuery<int>, IWithoutDatabase;
}
