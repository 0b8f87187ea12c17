using System.Data.Common;
using System.Globalization;
using AiTrader.Core.IO;
using Microsoft.Data.Sqlite;

namespace AiTrader.Storage;

/// <summary>A local SQLite file shared by the SQLite-backed stores: connection string, opening, pool release
/// and the text mapping of UTC instants and decimals.</summary>
internal sealed class SqliteDatabase
{
    // Fixed width, so text order is time order and range comparisons work on the stored strings.
    private const string InstantFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private readonly string _connectionString;

    /// <summary>The file at <paramref name="databasePath"/> (made absolute); nothing is created until the first open.</summary>
    public SqliteDatabase(string databasePath)
    {
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
    }

    public string DatabasePath { get; }

    public override string ToString() => $"SQLite {DisplayPath.Of(DatabasePath)}";

    /// <summary>Opens a connection, creating the file's directory first.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>Pooled connections keep the file open; release them so a caller can move or delete the database.</summary>
    public async ValueTask ClearPoolAsync()
    {
        await using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    public static object ToDb(DateTime utc) => utc.ToString(InstantFormat, CultureInfo.InvariantCulture);

    public static object ToDb(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static DateTime ReadUtc(DbDataReader reader, int ordinal) =>
        DateTime.ParseExact(reader.GetString(ordinal), InstantFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public static decimal ReadDecimal(DbDataReader reader, int ordinal) =>
        decimal.Parse(reader.GetString(ordinal), NumberStyles.Number, CultureInfo.InvariantCulture);
}
