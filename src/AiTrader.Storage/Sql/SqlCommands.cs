using System.Data.Common;

namespace AiTrader.Storage;

/// <summary>Parameter helpers shared by the SQL-backed stores (snapshot catalog and journal).</summary>
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
}
