using System.Globalization;
using Npgsql;

namespace AiTrader.Storage;

/// <summary>Turns a DATABASE_URL (<c>postgres://user:pass@host:port/db?sslmode=require</c>) into an Npgsql connection string.</summary>
public static class PostgresConnectionString
{
    /// <summary>Converts a <c>postgres://</c> or <c>postgresql://</c> URL; a key=value connection string passes
    /// through after validation. Error messages never repeat the input, which holds the password.</summary>
    public static string FromDatabaseUrl(string databaseUrl)
    {
        if (string.IsNullOrWhiteSpace(databaseUrl))
        {
            throw new ArgumentException("DATABASE_URL is empty.", nameof(databaseUrl));
        }

        var text = databaseUrl.Trim();
        if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return FromUri(text);
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            throw new ArgumentException(
                "DATABASE_URL must start with postgres:// or postgresql://, or be a key=value connection string.", nameof(databaseUrl));
        }

        try
        {
            return new NpgsqlConnectionStringBuilder(text).ConnectionString;
        }
        catch (ArgumentException)
        {
            throw new ArgumentException(
                "DATABASE_URL is not a valid key=value connection string (e.g. Host=localhost;Database=aitrader;Username=...).",
                nameof(databaseUrl));
        }
    }

    private static string FromUri(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException(
                "DATABASE_URL is not a valid URL; expected postgres://user:password@host:port/database.", "databaseUrl");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.DnsSafeHost,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
        };

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            ApplyQueryParameter(builder, name, value);
        }

        return builder.ConnectionString;
    }

    private static void ApplyQueryParameter(NpgsqlConnectionStringBuilder builder, string name, string value)
    {
        switch (name.ToLowerInvariant())
        {
            case "sslmode":
                builder.SslMode = value.ToLowerInvariant() switch
                {
                    "disable" => SslMode.Disable,
                    "allow" => SslMode.Allow,
                    "prefer" => SslMode.Prefer,
                    "require" => SslMode.Require,
                    "verify-ca" => SslMode.VerifyCA,
                    "verify-full" => SslMode.VerifyFull,
                    _ => throw new ArgumentException($"Unknown sslmode '{value}' in DATABASE_URL.", "databaseUrl"),
                };
                break;
            case "application_name":
                builder.ApplicationName = value;
                break;
            case "connect_timeout":
                builder.Timeout = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
                break;
            default:
                // Npgsql's own keywords (Pooling, Maximum Pool Size, ...) are accepted as query parameters too.
                try
                {
                    builder[name] = value;
                }
                catch (ArgumentException)
                {
                    throw new ArgumentException($"Unknown parameter '{name}' in DATABASE_URL.", "databaseUrl");
                }

                break;
        }
    }
}
