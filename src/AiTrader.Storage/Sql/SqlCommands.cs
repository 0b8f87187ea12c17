using System.Data.Common;

namespace AiTrader.Storage;

/// <summary>Parameter and reading helpers shared by the SQL-backed stores (snapshot catalog, journal, watchlists).</summary>
internal static class SqlCommands
{
    /// <summary>Adds the named parameter; <c>null</c> is stored as SQL NULL.</summary>
    public static void Add(DbCommand command, string name, object? value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        command.Parameters.Add(p);
    }

    /// <summary>Runs <paramref name="command"/> and reads every row with <paramref name="read"/>, in order.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var result = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(read(reader));
        }

        return result;
    }
}
