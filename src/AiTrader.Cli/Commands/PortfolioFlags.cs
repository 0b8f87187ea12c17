using System.CommandLine;
using System.Globalization;
using AiTrader.Core.Domain;
using Symbol = AiTrader.Core.Domain.Symbol;

namespace AiTrader.Cli.Commands;

/// <summary>The <c>backtest</c> flags that turn a single-symbol run into a portfolio run, and their parsing.</summary>
public sealed class PortfolioFlags
{
    private readonly Option<string?> _symbols = new("--symbols") { Description = "Comma-separated tickers traded on one shared account, e.g. AAPL,IBM,SPY (a portfolio run)." };
    private readonly Option<string?> _watchlist = new("--watchlist") { Description = "File with one ticker per line ('#' starts a comment) traded on one shared account." };
    private readonly Option<decimal?> _maxSymbolWeight = new("--max-symbol-weight") { Description = "Portfolio: largest position value per symbol as a fraction of equity, e.g. 0.25." };
    private readonly Option<decimal?> _maxGrossExposure = new("--max-gross-exposure") { Description = "Portfolio: largest sum of position values as a fraction of equity, e.g. 1.0." };
    private readonly Option<string?> _benchmark = new("--benchmark") { Description = "Portfolio: buy-and-hold benchmark symbol, or 'none'. [default: SPY when bundled]" };

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(_symbols);
        command.Add(_watchlist);
        command.Add(_maxSymbolWeight);
        command.Add(_maxGrossExposure);
        command.Add(_benchmark);
    }

    /// <summary>The portfolio request, or null for a single-symbol run (<paramref name="singleSymbol"/> given).</summary>
    /// <exception cref="CliException">Both or neither of --symbol and --symbols/--watchlist, an empty list, a bad limit,
    /// or portfolio-only flags on a single-symbol run.</exception>
    public PortfolioRequest? Read(ParseResult parse, string? singleSymbol)
    {
        var symbolsText = parse.GetValue(_symbols);
        var watchlist = parse.GetValue(_watchlist);
        if (symbolsText is not null && watchlist is not null)
        {
            throw new CliException("give --symbols or --watchlist, not both.");
        }

        var listFlag = symbolsText is not null ? "--symbols" : "--watchlist";
        if (symbolsText is null && watchlist is null)
        {
            if (singleSymbol is null)
            {
                throw new CliException("give --symbol for one ticker, or --symbols/--watchlist for a portfolio.");
            }

            foreach (var option in new Option[] { _maxSymbolWeight, _maxGrossExposure, _benchmark })
            {
                if (parse.GetResult(option) is not null)
                {
                    throw new CliException($"{option.Name} applies to portfolio runs (--symbols or --watchlist).");
                }
            }

            return null;
        }

        if (singleSymbol is not null)
        {
            throw new CliException($"give --symbol or {listFlag}, not both.");
        }

        var symbols = symbolsText is not null ? ParseSymbolList(symbolsText, "--symbols") : ReadWatchlist(watchlist!);
        var benchmark = parse.GetValue(_benchmark)?.Trim();
        var none = string.Equals(benchmark, "none", StringComparison.OrdinalIgnoreCase);
        return new PortfolioRequest(
            symbols,
            Limit(parse.GetValue(_maxSymbolWeight), "--max-symbol-weight"),
            Limit(parse.GetValue(_maxGrossExposure), "--max-gross-exposure"),
            string.IsNullOrEmpty(benchmark) || none ? (Symbol?)null : ParseTicker(benchmark, "--benchmark"),
            none);
    }

    /// <summary>Tickers separated by commas (and/or whitespace), upper-cased, duplicates dropped, order kept.</summary>
    public static IReadOnlyList<Symbol> ParseSymbolList(string text, string flag)
    {
        var symbols = text.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => ParseTicker(t, flag))
            .Distinct()
            .ToList();
        return symbols.Count > 0 ? symbols : throw new CliException($"{flag} lists no symbols; e.g. {flag} AAPL,IBM,SPY.");
    }

    /// <summary>One ticker per line; '#' starts a comment (whole line or after the ticker); blank lines are skipped.</summary>
    public static IReadOnlyList<Symbol> ReadWatchlist(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"--watchlist {path} does not exist.");
        }

        var symbols = File.ReadLines(path)
            .Select(line => line.Split('#')[0].Trim())
            .Where(line => line.Length > 0)
            .Select(line => ParseTicker(line, $"--watchlist {path}"))
            .Distinct()
            .ToList();
        return symbols.Count > 0 ? symbols : throw new CliException($"--watchlist {path} has no symbols (one per line, '#' for comments).");
    }

    private static Symbol ParseTicker(string text, string where)
    {
        try
        {
            return new Symbol(text);
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"{where}: {ex.Reason()}");
        }
    }

    private static decimal? Limit(decimal? value, string flag) => value switch
    {
        null => null,
        > 0 => value,
        _ => throw new CliException($"{flag} must be greater than 0 (got {value.Value.ToString(CultureInfo.InvariantCulture)})."),
    };
}
