using AiTrader.Cli;

return await AiTraderApp.RunAsync(args, Console.Out, Console.Error);
