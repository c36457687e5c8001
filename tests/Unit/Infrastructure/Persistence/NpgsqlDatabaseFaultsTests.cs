using System.Net.Sockets;
using Capacity.Infrastructure.Persistence;
using Npgsql;

namespace Capacity.UnitTests.Infrastructure.Persistence;

public sealed class NpgsqlDatabaseFaultsTests : IDisposable
{
    // Nothing connects: the classifier only looks at exceptions.
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create("Host=localhost;Port=1;Database=none");
    private readonly NpgsqlDatabaseFaults _faults;

    public NpgsqlDatabaseFaultsTests() => _faults = new NpgsqlDatabaseFaults(_dataSource);

    public void Dispose() => _dataSource.Dispose();

    private static PostgresException Server(string sqlState) => new("server says no", "ERROR", "ERROR", sqlState);

    [Theory]
    [InlineData("08006")] // connection failure
    [InlineData("08001")] // cannot establish connection
    [InlineData("53300")] // too many connections
    [InlineData("53100")] // disk full
    [InlineData("57P01")] // admin shutdown
    [InlineData("57P02")] // crash shutdown
    [InlineData("57P03")] // cannot connect now (starting up)
    [InlineData("58000")] // system error
    public void Server_error_counts_when_it_means_the_server_cannot_serve(string sqlState)
    {
        Assert.True(_faults.IsUnavailable(Server(sqlState)));
    }

    [Theory]
    [InlineData("55P03")] // lock not available (NOWAIT on a hot code)
    [InlineData("23505")] // unique violation
    [InlineData("40001")] // serialization failure
    [InlineData("40P01")] // deadlock
    [InlineData("57014")] // query cancelled
    [InlineData("22001")] // string too long
    public void Server_error_does_not_count_when_it_is_normal_under_load_or_a_bad_request(string sqlState)
    {
        Assert.False(_faults.IsUnavailable(Server(sqlState)));
    }

    [Fact]
    public void Failure_counts_when_the_driver_cannot_reach_the_server()
    {
        Assert.True(_faults.IsUnavailable(new TimeoutException()));
        Assert.True(_faults.IsUnavailable(new SocketException((int)SocketError.ConnectionRefused)));
        Assert.True(_faults.IsUnavailable(new NpgsqlException("Failed to connect", new SocketException())));
        Assert.True(_faults.IsUnavailable(new NpgsqlException("Exception while reading", new IOException())));
    }

    [Fact]
    public void Failure_counts_when_unavailability_is_wrapped_in_another_exception()
    {
        var wrapped = new InvalidOperationException("saving failed", new NpgsqlException("read", new TimeoutException()));

        Assert.True(_faults.IsUnavailable(wrapped));
        Assert.True(_faults.IsUnavailable(new InvalidOperationException("outer", Server("08006"))));
    }

    [Fact]
    public void Failure_does_not_count_when_it_is_not_about_the_database_being_reachable()
    {
        Assert.False(_faults.IsUnavailable(new InvalidOperationException("bug")));
        Assert.False(_faults.IsUnavailable(new NpgsqlException("not transient")));
        Assert.False(_faults.IsUnavailable(new OperationCanceledException()));
        Assert.False(_faults.IsUnavailable(new InvalidOperationException("outer", Server("55P03"))));
    }

    [Theory]
    [InlineData("22021")] // character not in repertoire (U+0000)
    [InlineData("22P05")] // untranslatable character
    public void Text_the_server_cannot_store_is_refused_input_even_when_wrapped(string sqlState)
    {
        Assert.True(_faults.IsRefusedText(Server(sqlState)));
        Assert.True(_faults.IsRefusedText(new InvalidOperationException("saving failed", Server(sqlState))));
        Assert.False(_faults.IsUnavailable(Server(sqlState)));
    }

    [Fact]
    public void Other_failures_are_not_refused_text()
    {
        Assert.False(_faults.IsRefusedText(Server("23505")));
        Assert.False(_faults.IsRefusedText(Server("08006")));
        Assert.False(_faults.IsRefusedText(new InvalidOperationException("bug")));
    }
}
