using Capacity.Application.Clients;
using Capacity.Domain.Clients;
using Capacity.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Capacity.Infrastructure.Clients;

/// <summary>
/// Clients and keys: EF Core for rows, plain SQL where a lock or a single round trip matters (adding a key under the
/// client's lock, revoking, the key check's read).
/// </summary>
internal sealed class ClientStore(IDbContextFactory<CapacityDbContext> contexts, NpgsqlDataSource dataSource) : IClientStore
{
    public async Task AddAsync(Client client, ClientKey key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        client.Keys.Add(key);
        db.Clients.Add(client);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<(IReadOnlyList<(Client Client, int ActiveKeys)> Clients, long Total)> ListAsync(
        long offset, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var total = await db.Clients.LongCountAsync(cancellationToken);
        if (offset >= total)
        {
            return ([], total);
        }

        // Ids are UUIDv7: their order is the creation order.
        var rows = await db.Clients.AsNoTracking()
            .OrderBy(c => c.Id)
            .Skip((int)offset)
            .Take(limit)
            .Select(c => new { Client = c, ActiveKeys = c.Keys.Count(k => k.RevokedAt == null) })
            .ToListAsync(cancellationToken);
        return (rows.Select(r => (r.Client, r.ActiveKeys)).ToList(), total);
    }

    public async Task<Client?> FindAsync(Guid clientId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var client = await db.Clients.AsNoTracking()
            .Include(c => c.Keys.OrderBy(k => k.Id))
            .FirstOrDefaultAsync(c => c.Id == clientId, cancellationToken);
        return client;
    }

    public async Task<KeyAddition> AddKeyAsync(ClientKey key, int maxActiveKeys, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // The client's row lock serialises key additions of one client; the count below is a statement of its own,
        // so its snapshot is taken after the lock is held and sees every key added before (decision 005).
        await using (var lockClient = new NpgsqlCommand("SELECT 1 FROM clients WHERE id = $1 FOR UPDATE", connection, transaction))
        {
            lockClient.Parameters.Add(new NpgsqlParameter { Value = key.ClientId });
            if (await lockClient.ExecuteScalarAsync(cancellationToken) is null)
            {
                return KeyAddition.ClientNotFound;
            }
        }

        const string insert = """
            INSERT INTO client_keys (id, client_id, prefix, key_hash, created_at)
            SELECT $1, $2, $3, $4, $5
            WHERE (SELECT count(*) FROM client_keys WHERE client_id = $2 AND revoked_at IS NULL) < $6
            """;
        await using var command = new NpgsqlCommand(insert, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = key.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = key.ClientId });
        command.Parameters.Add(new NpgsqlParameter { Value = key.Prefix });
        command.Parameters.Add(new NpgsqlParameter { Value = key.Hash });
        command.Parameters.Add(new NpgsqlParameter { Value = key.CreatedAt });
        command.Parameters.Add(new NpgsqlParameter { Value = maxActiveKeys });
        var added = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        await transaction.CommitAsync(cancellationToken);
        return added ? KeyAddition.Added : KeyAddition.LimitReached;
    }

    public async Task<ClientKey?> RevokeKeyAsync(Guid clientId, Guid keyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A revoked key keeps the time it was first revoked: revoking twice changes nothing.
        const string sql = """
            UPDATE client_keys SET revoked_at = COALESCE(revoked_at, $3)
            WHERE id = $1 AND client_id = $2
            RETURNING prefix, key_hash, created_at, revoked_at
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = keyId });
        command.Parameters.Add(new NpgsqlParameter { Value = clientId });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new ClientKey
        {
            Id = keyId,
            ClientId = clientId,
            Prefix = reader.GetString(0),
            Hash = reader.GetFieldValue<byte[]>(1),
            CreatedAt = reader.GetFieldValue<DateTimeOffset>(2),
            RevokedAt = reader.GetFieldValue<DateTimeOffset>(3),
        };
    }

    public async Task<KeyRecord?> FindKeyAsync(string prefix, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT k.id, k.client_id, c.name, c.scopes, k.key_hash, k.revoked_at IS NOT NULL
            FROM client_keys k JOIN clients c ON c.id = k.client_id
            WHERE k.prefix = $1
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = prefix });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new KeyRecord(
            reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetFieldValue<string[]>(3),
            reader.GetFieldValue<byte[]>(4), reader.GetBoolean(5));
    }
}
