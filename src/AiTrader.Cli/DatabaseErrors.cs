using System.Data.Common;

namespace AiTrader.Cli;

/// <summary>What the commands that open the platform database (<c>db migrate</c>, <c>serve</c>) say when it fails: one
/// that cannot be reached is a temporary failure (exit 75, retry later); one that answers and refuses is a setting to fix
/// (exit 2). Both name DATABASE_URL and never its password.</summary>
public static class DatabaseErrors
{
    public static Exception Explain(DbException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var message = ErrorText.Clean(ex.Message).TrimEnd('.');
        return ex.IsTransient
            ? new TemporaryFailureException($"the database cannot be reached ({message}); check that it runs and that DATABASE_URL points at it", ex)
            : new CliException($"the database refused the command: {message}; check DATABASE_URL (or unset it for the SQLite files in AITRADER_DATA_DIR).");
    }
}
