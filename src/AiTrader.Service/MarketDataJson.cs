using System.Text.Json;
using AiTrader.Application;
using AiTrader.Application.MarketData;
using AiTrader.Core.Reporting;
using AiTrader.Core.Signals;

namespace AiTrader.Service;

/// <summary>Bars and signal frames as JSON: prices exact (decimals as written), times UTC, signal names as in the
/// signals CSV (docs/reference/signals.md), null during warm-up.</summary>
internal static class MarketDataJson
{
    public static string Bars(BarPage page) => Write(page, json =>
    {
        json.WriteStartArray("bars");
        foreach (var bar in page.Bars)
        {
            json.WriteStartObject();
            json.WriteString("t", bar.Timestamp);
            ChartCandles.WriteOhlcv(json, bar.Open, bar.High, bar.Low, bar.Close, bar.Volume);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    });

    public static string Signals(BarPage page) => Write(page, json =>
    {
        json.WriteStartArray("frames");
        foreach (var f in page.Signals ?? [])
        {
            Frame(json, f);
        }

        json.WriteEndArray();
    });

    /// <summary>A chart's candles (each with the bars it merges) and, when asked for, the signal frame of each candle's
    /// last bar.</summary>
    public static string Chart(ChartView view) => JsonText.Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("symbol", view.Request.Range.Symbol.Value);
        json.WriteString("interval", view.Request.Range.Interval.ToString());
        json.WriteNumber("total", view.Total);
        json.WriteNumber("group", view.Group);
        json.WriteStartArray("bars");
        foreach (var c in view.Candles)
        {
            ChartCandles.Write(json, c);
        }

        json.WriteEndArray();
        if (view.Frames is { } frames)
        {
            json.WriteStartArray("frames");
            foreach (var f in frames)
            {
                Frame(json, f);
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    });

    private static void Frame(Utf8JsonWriter json, SignalFrame f)
    {
        json.WriteStartObject();
        json.WriteString("timestamp", f.Timestamp);
        json.WriteNumber("close", f.Close);
        json.WriteNumber("filtered_price", f.FilteredPrice);
        json.WriteNumber("velocity", f.Velocity);
        json.WriteNumber("price_variance", f.PriceVariance);
        json.WriteNumber("prob_up", f.ProbabilityUp);
        json.WriteString("regime", RegimeText(f.Regime));
        json.WriteNumberOrNull("sma_20", f.Sma);
        json.WriteNumberOrNull("ema_20", f.Ema);
        json.WriteNumberOrNull("atr_14", f.Atr);
        json.WriteNumberOrNull("rsi_14", f.Rsi);
        json.WriteNumberOrNull("donchian_high_20", f.DonchianHigh);
        json.WriteNumberOrNull("donchian_low_20", f.DonchianLow);
        json.WriteNumberOrNull("zscore_20", f.ZScore);
        json.WriteNumberOrNull("bb_upper_20", f.BollingerUpper);
        json.WriteNumberOrNull("bb_lower_20", f.BollingerLower);
        json.WriteNumberOrNull("vol_20", f.Volatility);
        json.WriteNumberOrNull("vwap", f.Vwap);
        json.WriteNumberOrNull("gap_pct", f.GapPercent);
        json.WriteNumberOrNull("rvol", f.RelativeVolume);
        json.WriteEndObject();
    }

    private static string RegimeText(AiTrader.Core.Signals.Regimes.MarketRegime regime) =>
        regime.ToString(); // as in the signals CSV


    private static string Write(BarPage page, Action<Utf8JsonWriter> body)
    {
        return JsonText.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("symbol", page.Request.Symbol.Value);
            json.WriteString("interval", page.Request.Interval.ToString());
            body(json);
            if (page.NextAfter is { } next)
            {
                json.WriteString("next_after", next.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                json.WriteNull("next_after");
            }

            json.WriteEndObject();
        });
    }
}
