using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Reporting;
using AiTrader.Core.Sessions;
using ScottPlot;

namespace AiTrader.Reporting;

/// <summary>A run's PNG charts (equity.png, price.png), drawn with ScottPlot for places where an interactive page does not
/// open: a CI artifact, a chat, a terminal's image preview.</summary>
/// <remarks>Every line is drawn from the series already thinned by <see cref="SeriesDownsampler"/> to two points per pixel
/// column (each bucket's lowest and highest), never from every bar: a two-million-bar run draws as fast as a short one.
/// Times on the x axis are New York wall clock.</remarks>
public static class PngCharts
{
    /// <summary>Default image width in pixels.</summary>
    public const int DefaultWidth = 1200;

    /// <summary>Default image height in pixels.</summary>
    public const int DefaultHeight = 600;

    /// <summary>File name of the equity chart in a run's output folder.</summary>
    public const string EquityFileName = "equity.png";

    /// <summary>File name of the price chart in a run's output folder.</summary>
    public const string PriceFileName = "price.png";

    /// <summary>Colour of the equity line.</summary>
    public static Color EquityColor { get; } = new(31, 119, 180);

    /// <summary>Colour of the close line.</summary>
    public static Color PriceColor { get; } = new(55, 65, 81);

    /// <summary>Colour of the entry markers.</summary>
    public static Color EntryColor { get; } = new(22, 163, 74);

    /// <summary>Colour of the exit markers.</summary>
    public static Color ExitColor { get; } = new(220, 38, 38);

    /// <summary>The equity curve with a dashed line at the initial capital.</summary>
    public static Plot EquityPlot(string title, decimal initialCapital, ReportSeries series, int width = DefaultWidth)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(series);
        var plot = NewPlot(title);
        if (series.Equity.Length == 0)
        {
            plot.Add.Annotation("No equity points.");
            return plot;
        }

        var kept = SeriesDownsampler.MinMaxIndices(series.Equity, width * 2);
        var line = plot.Add.ScatterLine(kept.Select(i => Axis(series.EquityTime(i))).ToArray(), kept.Select(i => series.Equity[i]).ToArray(), EquityColor);
        line.LineWidth = 2;
        line.LegendText = "Equity";
        var baseline = plot.Add.HorizontalLine((double)initialCapital, 1, Colors.Gray, LinePattern.Dashed);
        baseline.LegendText = "Initial capital";
        plot.Axes.Left.Label.Text = "Equity (USD)";
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Close prices with a green ▲ at each entry (its time and price) and a red ▼ at each exit.</summary>
    public static Plot PricePlot(string title, ReportSeries series, int barCount, IReadOnlyList<TradeRecord> trades, int width = DefaultWidth)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(trades);
        var plot = NewPlot(title);
        if (barCount == 0)
        {
            plot.Add.Annotation("No bars.");
            return plot;
        }

        var close = series.Close;
        var kept = SeriesDownsampler.MinMaxIndices(close, width * 2);
        var line = plot.Add.ScatterLine(kept.Select(i => Axis(series.BarTime(i))).ToArray(), kept.Select(i => close[i]).ToArray(), PriceColor);
        line.LineWidth = 1.5f;
        line.LegendText = "Close";
        if (trades.Count > 0)
        {
            var entries = plot.Add.Markers(trades.Select(t => Axis(t.EntryTime)).ToArray(), trades.Select(t => (double)t.EntryPrice).ToArray(),
                MarkerShape.FilledTriangleUp, 9, EntryColor);
            entries.LegendText = "Entry";
            var exits = plot.Add.Markers(trades.Select(t => Axis(t.ExitTime)).ToArray(), trades.Select(t => (double)t.ExitPrice).ToArray(),
                MarkerShape.FilledTriangleDown, 9, ExitColor);
            exits.LegendText = "Exit";
        }

        plot.Axes.Left.Label.Text = "Price (USD)";
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>The plot as PNG bytes of the given size.</summary>
    public static byte[] Png(Plot plot, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(plot);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>The x coordinate of a UTC instant: its New York wall clock, as ScottPlot's date axis reads it.</summary>
    public static double Axis(DateTime utc) => ExchangeTime.ToNewYork(utc).ToOADate();

    private static Plot NewPlot(string title)
    {
        ReportFont.Use();
        var plot = new Plot();
        plot.Title(title);
        plot.Axes.DateTimeTicksBottom();
        return plot;
    }
}
