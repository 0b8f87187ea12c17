using System.Globalization;
using AiTrader.Cli;

namespace AiTrader.Core.Tests.TestSupport;

/// <summary>Runs the <c>aitrader</c> CLI in process and captures what it writes.</summary>
internal static class CliRunner
{
    /// <summary>Runs <see cref="AiTraderApp.RunAsync"/> with <paramref name="args"/>; returns the exit code, stdout and stderr.</summary>
    public static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter(CultureInfo.InvariantCulture);
        var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var code = await AiTraderApp.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
