namespace AiTrader.Integration.Tests.Cluster;

/// <summary>The Redis server the cluster's Redis membership tests use: its address in AITRADER_TEST_REDIS, as
/// <c>.ci/redis.sh</c> prints it (CI starts one).</summary>
internal static class RedisTestServer
{
    public const string Variable = "AITRADER_TEST_REDIS";

    public static string? Address => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } s ? s : null;

    /// <summary>Outside CI a missing server skips the test; in CI it must fail, so CI can never go green without one.</summary>
    public static string? SkipReason =>
        Address is null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? $"{Variable} is not set; start Redis with `bash .ci/redis.sh` and export its output to run this test."
            : null;

    public static string Require() => Address ?? throw new InvalidOperationException(
        $"{Variable} is not set but CI=true: .ci/run must start Redis (.ci/redis.sh) and export {Variable}.");
}

/// <summary>A fact that needs the Redis server; skipped without one outside CI.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisTestServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
