using System.Reflection;
using Xunit.Sdk;

namespace AiTrader.Integration.Tests.Watchlists;

/// <summary>The real Azurite Blob and Table services the tests use: AITRADER_TEST_AZURITE_CONNECTION_STRING, which CI's .ci/run
/// sets after starting Azurite from npm (.ci/azurite.sh).</summary>
internal static class AzuriteTestStorage
{
    public const string Variable = "AITRADER_TEST_AZURITE_CONNECTION_STRING";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } s ? s : null;

    /// <summary>Outside CI a missing Azurite skips the test; in CI it must fail, so CI can never go green without one.</summary>
    public static string? SkipReason =>
        ConnectionString is null && !IsCi
            ? $"{Variable} is not set; start Azurite with `bash .ci/azurite.sh` and export its output to run this test."
            : null;

    public static string Require() => ConnectionString ?? throw new InvalidOperationException(
        $"{Variable} is not set but CI=true: .ci/run must start Azurite (.ci/azurite.sh) and export {Variable}.");

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Theory data row <c>"blob"</c>; skipped without Azurite outside CI.</summary>
public sealed class AzuriteDataAttribute : DataAttribute
{
    public AzuriteDataAttribute()
    {
        if (AzuriteTestStorage.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [["blob"]];
}

/// <summary>A fact that needs Azurite (Blob and Table); skipped without it outside CI.</summary>
public sealed class AzuriteFactAttribute : FactAttribute
{
    public AzuriteFactAttribute()
    {
        if (AzuriteTestStorage.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
