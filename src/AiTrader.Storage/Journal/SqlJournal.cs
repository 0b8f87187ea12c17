using System.Data.Common;
using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.Journal;

namespace AiTrader.Storage;

/// <summary>The journal statements shared by SQLite and PostgreSQL; subclasses supply the connection, schema and value mapping.</summary>
public abstract class SqlJournal : SqlStore, IJournal
{
    private const string Columns =
        "id, \"timestamp\", kind, symbol, side, quantity, price, order_id, client_order_id, reason, data, event_key";

    /// <summary>The table, schema-qualified where the backend has schemas.</summary>
    protected abstract string Table { get; }

    /// <summary>The SQL expression that stores the <c>@data</c> parameter (PostgreSQL casts text to json).</summary>
    protected virtual string DataParameter => "@data";

    public async Task<JournalEntry> AppendAsync(JournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        entry = entry.Normalize() with { Id = 0 };

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var insert = connection.CreateCommand())
        {
            // A NULL event key never conflicts (both backends treat NULLs as distinct in a UNIQUE constraint).
            insert.CommandText = $"""
                INSERT INTO {Table} ("timestamp", kind, symbol, side, quantity, price, order_id, client_order_id, reason, data, event_key)
                VALUES (@timestamp, @kind, @symbol, @side, @quantity, @price, @order_id, @client_order_id, @reason, {DataParameter}, @event_key)
                ON CONFLICT (event_key) DO NOTHING
                RETURNING id
                """;
            SqlCommands.Add(insert, "timestamp", ToDb(entry.Timestamp));
            SqlCommands.Add(insert, "kind", entry.Kind.ToText());
            SqlCommands.Add(insert, "symbol", entry.Symbol?.Value);
            SqlCommands.Add(insert, "side", JournalExport.SideText(entry.Side));
            SqlCommands.Add(insert, "quantity", entry.Quantity is { } q ? ToDb(q) : null);
            SqlCommands.Add(insert, "price", entry.Price is { } p ? ToDb(p) : null);
            SqlCommands.Add(insert, "order_id", entry.OrderId);
            SqlCommands.Add(insert, "client_order_id", entry.ClientOrderId);
            SqlCommands.Add(insert, "reason", entry.Reason);
            SqlCommands.Add(insert, "data", entry.Data);
            SqlCommands.Add(insert, "event_key", entry.EventKey);
            var id = await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (id is not null and not DBNull)
            {
                JournalMetrics.Stored(entry);
                return entry with { Id = Convert.ToInt64(id, CultureInfo.InvariantCulture) };
            }
        }

        // Only a repeated event key inserts nothing: the first entry stored under it wins.
        return await FindByEventKeyAsync(connection, entry.EventKey!, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Journal insert of event key '{entry.EventKey}' stored nothing and found no entry.");
    }

    public async Task<IReadOnlyList<JournalEntry>> QueryAsync(JournalQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!StoreExists)
        {
            return [];
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var where = new List<string>();
        if (query.UtcRange is { } range)
        {
            where.Add("\"timestamp\" >= @start AND \"timestamp\" < @end");
            SqlCommands.Add(command, "start", ToDb(range.StartUtc));
            SqlCommands.Add(command, "end", ToDb(range.EndUtc));
        }

        if (query.Kind is { } kind)
        {
            where.Add("kind = @kind");
            SqlCommands.Add(command, "kind", kind.ToText());
        }

        if (query.Symbol is { } symbol)
        {
            where.Add("symbol = @symbol");
            SqlCommands.Add(command, "symbol", symbol.Value);
        }

        var filter = where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);
        command.CommandText = $"SELECT {Columns} FROM {Table} {filter} ORDER BY id";
        return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<JournalEntry?> FindByEventKeyAsync(string eventKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventKey);
        if (!StoreExists)
        {
            return null;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await FindByEventKeyAsync(connection, eventKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The value that stores a decimal exactly in this backend.</summary>
    protected abstract object ToDb(decimal value);

    /// <summary>Reads a decimal stored by <see cref="ToDb(decimal)"/>.</summary>
    protected abstract decimal ReadDecimal(DbDataReader reader, int ordinal);

    private async Task<JournalEntry?> FindByEventKeyAsync(DbConnection connection, string eventKey, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM {Table} WHERE event_key = @event_key";
        SqlCommands.Add(command, "event_key", eventKey);
        var rows = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    private async Task<IReadOnlyList<JournalEntry>> ReadAllAsync(DbCommand command, CancellationToken cancellationToken) =>
        await SqlCommands.ReadAllAsync(command, ReadEntry, cancellationToken).ConfigureAwait(false);

    private JournalEntry ReadEntry(DbDataReader reader) => new(
        reader.GetInt64(0),
        ReadUtc(reader, 1),
        JournalKinds.Parse(reader.GetString(2)),
        reader.IsDBNull(3) ? (Symbol?)null : new Symbol(reader.GetString(3)),
        reader.IsDBNull(4) ? null : JournalExport.ParseSide(reader.GetString(4)),
        reader.IsDBNull(5) ? null : ReadDecimal(reader, 5),
        reader.IsDBNull(6) ? null : ReadDecimal(reader, 6),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        reader.IsDBNull(8) ? null : reader.GetString(8),
        reader.GetString(9),
        reader.IsDBNull(10) ? null : reader.GetString(10),
        reader.IsDBNull(11) ? null : reader.GetString(11));
}

/// <summary>The kinds each journal schema version accepts, frozen per version (a new kind is a new step).</summary>
internal static class JournalKindsSql
{
    public const string Version1 = "'decision','block','order','fill','cancel','reject','position','summary'";

    public const string Version2 = Version1 + ",'webhook'";
}
