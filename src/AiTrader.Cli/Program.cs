using AiTrader.Cli;

var code = await AiTraderApp.RunAsync(args, Console.Out, Console.Error);

// `aitrader bench` times fresh processes; this is how a child reports its own peak memory (VmHWM) to it.
if (Environment.GetEnvironmentVariable("AITRADER_PEAK") == "1")
{
    Console.Error.WriteLine($"peak_working_set {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64}");
}

return code;
