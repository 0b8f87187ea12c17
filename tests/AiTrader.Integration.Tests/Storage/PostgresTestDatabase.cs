using System.Reflection;
using Xunit.Sdk;

namespace AiTrader.Integration.Tests.Storage;

/// <summary>The real PostgreSQL server the tests use: AITRADER_TEST_DATABASE_URL, which CI's .ci/run always sets.</summary>
internal static class PostgresTestDatabase
{
    public const string Variable = "AITRADER_TEST_DATABASE_URL";

    public static string? Url => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } url ? url : null;

    /// <summary>Outside CI a missing server skips the test; in CI it must fail, so CI can never go green without one.</summary>
    public static string? SkipReason =>
        Url is null && !IsCi
            ? $"{Variable} is not set; start PostgreSQL with `bash .ci/postgres.sh` and export its URL to run this test."
            : null;

    public static string RequireUrl() => Url ?? throw new InvalidOperationException(
        $"{Variable} is not set but CI=true: .ci/run must start PostgreSQL (.ci/postgres.sh) and export {Variable}.");

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A fact that needs the test PostgreSQL server; skipped without one outside CI.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresTestDatabase.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>Theory data row <c>"postgres"</c>; skipped without a test server outside CI.</summary>
public sealed class PostgresDataAttribute : DataAttribute
{
    public PostgresDataAttribute()
    {
        if (PostgresTestDatabase.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [["postgres"]];
}
