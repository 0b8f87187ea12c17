using System.Text.Json;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Sweeps;

namespace AiTrader.Application.Sweeps;

/// <summary>A finished sweep's result as a job stores it: the ranking (best first, at most <see cref="MaxRanked"/> rows)
/// with each row's parameters and headline metrics, or a walk-forward's out-of-sample metrics; the full tables are the
/// job's files.</summary>
public static class SweepResultJson
{
    public const int MaxRanked = 50;

    public static string Write(SweepOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return JsonText.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("symbol", outcome.Request.Symbol.Value);
            json.WriteString("strategy", outcome.Request.Strategy);
            json.WriteString("rank_by", outcome.Request.RankBy.Name());
            json.WriteNumber("combinations", outcome.Request.Grid.Count);
            if (outcome.Sweep is { } sweep)
            {
                json.WriteString("kind", "sweep");
                json.WriteStartArray("ranked");
                foreach (var row in sweep.Ranked.Take(MaxRanked))
                {
                    json.WriteStartObject();
                    json.WriteStartObject("parameters");
                    for (var i = 0; i < row.Combination.Names.Count; i++)
                    {
                        json.WriteString(row.Combination.Names[i], row.Combination.Values[i]);
                    }

                    json.WriteEndObject();
                    json.WriteNumberOrNull("score", row.Score);
                    Metrics(json, row.Metrics);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }
            else if (outcome.WalkForward is { } walk)
            {
                json.WriteString("kind", "walk_forward");
                json.WriteNumber("windows", walk.Windows.Count);
                json.WriteNumber("in_sample_bars", outcome.Windows!.InSampleBars);
                json.WriteNumber("out_of_sample_bars", outcome.Windows.OutOfSampleBars);
                json.WriteStartObject("out_of_sample");
                Metrics(json, walk.Metrics);
                json.WriteEndObject();
            }

            json.WriteStartArray("files");
            foreach (var file in outcome.Files)
            {
                json.WriteStringValue(Path.GetFileName(file));
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static void Metrics(Utf8JsonWriter json, PerformanceMetrics m)
    {
        json.WriteNumber("final_equity", m.FinalEquity);
        json.WriteNumberOrNull("total_return", m.TotalReturn);
        json.WriteNumberOrNull("cagr", m.Cagr);
        json.WriteNumberOrNull("sharpe", m.Sharpe);
        json.WriteNumberOrNull("max_drawdown", m.MaxDrawdown);
        json.WriteNumber("trades", m.Trades);
    }

}
