using System.Text;
using System.Text.Json;
using AiTrader.Application.MarketData;
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
            json.WriteNumber("o", bar.Open);
            json.WriteNumber("h", bar.High);
            json.WriteNumber("l", bar.Low);
            json.WriteNumber("c", bar.Close);
            json.WriteNumber("v", bar.Volume);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    });

    public static string Signals(BarPage page) => Write(page, json =>
    {
        json.WriteStartArray("frames");
        foreach (var f in page.Signals ?? [])
        {
            json.WriteStartObject();
            json.WriteString("timestamp", f.Timestamp);
            json.WriteNumber("close", f.Close);
            json.WriteNumber("filtered_price", f.FilteredPrice);
            json.WriteNumber("velocity", f.Velocity);
            json.WriteNumber("price_variance", f.PriceVariance);
            json.WriteNumber("prob_up", f.ProbabilityUp);
            json.WriteString("regime", RegimeText(f.Regime));
            Number(json, "sma_20", f.Sma);
            Number(json, "ema_20", f.Ema);
            Number(json, "atr_14", f.Atr);
            Number(json, "rsi_14", f.Rsi);
            Number(json, "donchian_high_20", f.DonchianHigh);
            Number(json, "donchian_low_20", f.DonchianLow);
            Number(json, "zscore_20", f.ZScore);
            Number(json, "bb_upper_20", f.BollingerUpper);
            Number(json, "bb_lower_20", f.BollingerLower);
            Number(json, "vol_20", f.Volatility);
            Number(json, "vwap", f.Vwap);
            Number(json, "gap_pct", f.GapPercent);
            Number(json, "rvol", f.RelativeVolume);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    });

    private static string RegimeText(AiTrader.Core.Signals.Regimes.MarketRegime regime) =>
        regime.ToString(); // as in the signals CSV

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Write(BarPage page, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
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
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
