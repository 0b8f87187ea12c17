using System.Security.Cryptography;
using System.Text;

namespace AiTrader.Storage.Security;

/// <summary>The dashboard's sign-ins, kept in the platform database beside the API keys so that a restarted service keeps
/// its browsers signed in: each under the SHA-256 of its session token (the token itself is only in the browser's
/// cookie), with the API key it signed in with, the sign-in ticket and when it expires.</summary>
public interface IDashboardSessionStore : IAsyncDisposable
{
    /// <summary>Stores a new session under <paramref name="token"/>.</summary>
    Task StoreAsync(string token, string keyId, byte[] ticket, DateTime expiresUtc, CancellationToken cancellationToken = default);

    /// <summary>Replaces the ticket and expiry of a session still held; a session signed out or expired stays gone.</summary>
    Task RenewAsync(string token, byte[] ticket, DateTime expiresUtc, CancellationToken cancellationToken = default);

    /// <summary>The ticket of the session <paramref name="token"/> when it has not expired at <paramref name="nowUtc"/>;
    /// null otherwise (an expired one is removed).</summary>
    Task<byte[]?> RetrieveAsync(string token, DateTime nowUtc, CancellationToken cancellationToken = default);

    /// <summary>Ends the session <paramref name="token"/> (signing out).</summary>
    Task RemoveAsync(string token, CancellationToken cancellationToken = default);

    /// <summary>Removes every session expired at <paramref name="nowUtc"/>; returns how many.</summary>
    Task<int> RemoveExpiredAsync(DateTime nowUtc, CancellationToken cancellationToken = default);
}

/// <summary>The dashboard sessions' statements, on the API key store's connection (the same database file or schema).</summary>
public abstract partial class SqlApiKeyStore : IDashboardSessionStore
{
    /// <summary>The sessions table, schema-qualified where the backend has schemas.</summary>
    protected abstract string SessionTable { get; }

    /// <summary>What is stored for a token: its SHA-256, lower-case hex.</summary>
    public static string SessionTokenHash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token ?? throw new ArgumentNullException(nameof(token)))));

    public async Task StoreAsync(string token, string keyId, byte[] ticket, DateTime expiresUtc, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = connection.CreateCommand();
        insert.CommandText = $"INSERT INTO {SessionTable} (token_sha256, key_id, ticket, created_at, expires_at) VALUES (@hash, @key, @ticket, @created, @expires)";
        SqlCommands.Add(insert, "hash", SessionTokenHash(token));
        SqlCommands.Add(insert, "key", keyId);
        SqlCommands.Add(insert, "ticket", ticket);
        SqlCommands.Add(insert, "created", ToDb(DateTime.UtcNow));
        SqlCommands.Add(insert, "expires", ToDb(expiresUtc.ToUniversalTime()));
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RenewAsync(string token, byte[] ticket, DateTime expiresUtc, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var update = connection.CreateCommand();
        update.CommandText = $"UPDATE {SessionTable} SET ticket = @ticket, expires_at = @expires WHERE token_sha256 = @hash";
        SqlCommands.Add(update, "hash", SessionTokenHash(token));
        SqlCommands.Add(update, "ticket", ticket);
        SqlCommands.Add(update, "expires", ToDb(expiresUtc.ToUniversalTime()));
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<byte[]?> RetrieveAsync(string token, DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        if (!StoreExists)
        {
            return null;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand();
        select.CommandText = $"SELECT ticket, expires_at FROM {SessionTable} WHERE token_sha256 = @hash";
        SqlCommands.Add(select, "hash", SessionTokenHash(token));
        byte[]? ticket = null;
        var expired = false;
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                expired = ReadUtc(reader, 1) <= nowUtc.ToUniversalTime();
                ticket = expired ? null : (byte[])reader.GetValue(0);
            }
        }

        if (expired)
        {
            await RemoveAsync(token, cancellationToken).ConfigureAwait(false);
        }

        return ticket;
    }

    public async Task RemoveAsync(string token, CancellationToken cancellationToken = default)
    {
        if (!StoreExists)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var delete = connection.CreateCommand();
        delete.CommandText = $"DELETE FROM {SessionTable} WHERE token_sha256 = @hash";
        SqlCommands.Add(delete, "hash", SessionTokenHash(token));
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> RemoveExpiredAsync(DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        if (!StoreExists)
        {
            return 0;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var delete = connection.CreateCommand();
        delete.CommandText = $"DELETE FROM {SessionTable} WHERE expires_at <= @now";
        SqlCommands.Add(delete, "now", ToDb(nowUtc.ToUniversalTime()));
        return await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
