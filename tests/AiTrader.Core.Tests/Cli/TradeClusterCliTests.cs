using AiTrader.Core.Tests.Journal;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

/// <summary><c>trade --cluster</c>'s refusals, each before anything is joined or written: what a run on the cluster cannot
/// do, the membership flags without <c>--cluster</c>, no silo on the gateway ports.</summary>
[Trait("Category", "Cli")]
[Collection(EnvironmentCollection.Name)]
public sealed class TradeClusterCliTests : IDisposable
{
    private static readonly string[] Replay = ["trade", "--paper", "--replay", "2013-10-07:2013-10-08", "--symbols", "SPY"];
    private readonly IsolatedStateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Theory]
    [InlineData("error: --cluster drives a replay: add --paper --replay FROM:TO (a session on the live stream runs on this machine).",
        "trade", "--paper", "--symbols", "SPY", "--cluster")]
    [InlineData("error: --json prints a run driven on this machine; drop it with --cluster (the summary table is printed).",
        "trade", "--paper", "--replay", "2013-10-07:2013-10-08", "--symbols", "SPY", "--cluster", "--json")]
    [InlineData("error: --gateway-ports, --clustering and --cluster-id need --cluster.",
        "trade", "--paper", "--replay", "2013-10-07:2013-10-08", "--symbols", "SPY", "--clustering", "azuretable")]
    [InlineData("error: --gateway-ports, --clustering and --cluster-id need --cluster.",
        "scan", "--date", "2013-10-08", "--replay", "--no-store", "--gateway-ports", "39990")]
    public async Task A_cluster_flag_that_cannot_apply_is_refused_with_the_fix(string message, params string[] args)
    {
        var (code, stdout, stderr) = await CliRunner.Run(args);

        Assert.Equal(2, code);
        Assert.Equal(message, stderr.Trim());
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task No_silo_on_the_gateway_ports_is_one_line_and_starts_no_run()
    {
        var (code, _, stderr) = await CliRunner.Run([.. Replay, "--cluster", "--gateway-ports", "39990"]);

        Assert.Equal(2, code);
        Assert.Equal("error: no silo is reachable on 127.0.0.1 gateway ports 39990; start one with 'aitrader silo' (or name its gateway port with --gateway-ports).", stderr.Trim());
        Assert.False(Directory.Exists(Path.Combine(_state.Path, "runs")));
    }
}
