using System.CommandLine;
using AiTrader.Application;
using AiTrader.Core.Strategies;
using Spectre.Console;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader strategies</c>: every strategy with its parameters, defaults and meanings.</summary>
public static class StrategiesCommand
{
    public static Command Create(TextWriter stdout)
    {
        var json = JsonFlag.Create("the strategies and their parameters (name, parameters: name, default, description), as GET /api/strategies lists them");
        var command = new Command("strategies", "List the strategies and their parameters (set them with backtest --param name=value).") { json };
        command.SetAction(parse =>
        {
            if (parse.GetValue(json))
            {
                stdout.WriteLine(StrategyCatalogJson.Write());
                return ExitCodes.Ok;
            }

            var console = CliConsole.Create(stdout);
            console.Write(Table());
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>One row per parameter, the strategy name on its first row.</summary>
    public static Table Table()
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Strategy").AddColumn("Parameter").AddColumn(new TableColumn("Default").RightAligned()).AddColumn("Description");
        foreach (var name in StrategyCatalog.Names)
        {
            var first = true;
            foreach (var p in StrategyCatalog.Describe(name))
            {
                table.AddRow(first ? Markup.Escape(name) : "", Markup.Escape(p.Name), Markup.Escape(p.Default), Markup.Escape(p.Description));
                first = false;
            }
        }

        return table;
    }
}
