using System.Net.Sockets;
using Capacity.Application.Common.Resilience;
using Npgsql;

namespace Capacity.Infrastructure.Persistence;

/// <summary>Tells the circuit breaker which Npgsql failures mean "the database is unavailable".</summary>
internal sealed class NpgsqlDatabaseFaults(NpgsqlDataSource dataSource) : IDatabaseFaults
{
    public bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // A server error: only classes that mean the server cannot serve us (08 connection,
                // 53 resources, 57P01-57P03 shutting down or starting, 58 system). Never a busy lock (55P03),
                // a serialization failure or a constraint violation: those are normal under load.
                case PostgresException postgres:
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState.StartsWith("53", StringComparison.Ordinal)
                        || postgres.SqlState.StartsWith("58", StringComparison.Ordinal)
                        || postgres.SqlState is PostgresErrorCodes.AdminShutdown
                            or PostgresErrorCodes.CrashShutdown
                            or PostgresErrorCodes.CannotConnectNow;
                case NpgsqlException { IsTransient: true }:
                case TimeoutException:
                case SocketException:
                    return true;
            }
        }

        return false;
    }

    /// <summary>SQLSTATE 22021 (character not in repertoire, e.g. U+0000) or 22P05 (untranslatable character).</summary>
    public bool IsRefusedText(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter })
            {
                return true;
            }
        }

        return false;
    }

    public void ResetConnections()
    {
        dataSource.Clear();
        NpgsqlConnection.ClearAllPools();
    }
}
