using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;

namespace AiTrader.Core.Reporting;

/// <summary>Renders the report's raster charts (equity with drawdown, price with trades) onto an <see cref="RgbaCanvas"/>.</summary>
/// <remarks>Hand-written on purpose: the managed charting libraries reachable here (ScottPlot and friends) pull in Skia
/// natives of hundreds of megabytes, and CI logs and terminals only need a plain line chart. Series are thinned with
/// <see cref="SeriesDownsampler"/> to two points per pixel column, so a ten-million-bar run draws as fast as a short one.</remarks>
public static class PngChart
{
    /// <summary>Default image width in pixels.</summary>
    public const int DefaultWidth = 1200;

    /// <summary>Default image height in pixels.</summary>
    public const int DefaultHeight = 600;

    /// <summary>File name of the equity chart in a run's output folder.</summary>
    public const string EquityFileName = "equity.png";

    /// <summary>File name of the price chart in a run's output folder.</summary>
    public const string PriceFileName = "price.png";

    internal static readonly Rgba Background = new(255, 255, 255);
    internal static readonly Rgba Ink = new(33, 37, 41);
    internal static readonly Rgba Grid = new(225, 228, 232);
    internal static readonly Rgba Axis = new(120, 126, 133);
    internal static readonly Rgba EquityBlue = new(31, 119, 180);
    internal static readonly Rgba PriceGray = new(55, 65, 81);
    internal static readonly Rgba EntryGreen = new(22, 163, 74);
    internal static readonly Rgba ExitRed = new(220, 38, 38);
    internal static readonly Rgba DrawdownFill = new(220, 38, 38, 90);

    private const int LeftMargin = 104;
    private const int LabelScale = 2;
    private const int RightMargin = 24;
    private const int TitleHeight = 40;
    private const int BottomMargin = 28;

    /// <summary>Equity curve (top two thirds, dashed line at the initial capital) over the underwater drawdown area.</summary>
    public static RgbaCanvas RenderEquity(string title, decimal initialCapital, IReadOnlyList<EquityPoint> equity,
        int width = DefaultWidth, int height = DefaultHeight) =>
        RenderEquity(title, initialCapital, equity, null, width, height);

    /// <summary>As above, from <paramref name="series"/> when the caller already read the curve.</summary>
    public static RgbaCanvas RenderEquity(string title, decimal initialCapital, IReadOnlyList<EquityPoint> equity,
        ReportSeries? series, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(equity);
        var canvas = new RgbaCanvas(width, height, Background);
        DrawTitle(canvas, title);
        if (equity.Count == 0)
        {
            canvas.DrawText(LeftMargin, height / 2, "NO EQUITY POINTS", Ink, 2);
            return canvas;
        }

        var plotWidth = width - LeftMargin - RightMargin;
        var gap = 28;
        var available = height - TitleHeight - BottomMargin - gap;
        var equityPanel = new Panel(LeftMargin, TitleHeight, plotWidth, available * 2 / 3, equity.Count);
        var ddPanel = new Panel(LeftMargin, TitleHeight + equityPanel.Height + gap, plotWidth,
            available - equityPanel.Height, equity.Count);

        series ??= ReportSeries.From(initialCapital, equity, []);
        var values = series.Equity;
        var kept = SeriesDownsampler.MinMaxIndices(values, plotWidth * 2);
        var min = Math.Min((double)initialCapital, kept.Min(i => values[i]));
        var max = Math.Max((double)initialCapital, kept.Max(i => values[i]));
        var pad = Math.Max((max - min) * 0.05, Math.Abs(max) * 0.001 + 1e-9);
        equityPanel.SetYRange(min - pad, max + pad);
        var timeTicks = ChartAxes.TimeTicks(kept, series.EquityTime);
        DrawAxes(canvas, equityPanel, v => ChartAxes.Money(v, equityPanel.Step), timeTicks, labelTime: false);
        canvas.DrawText(equityPanel.Left + 6, equityPanel.Top + 6, "EQUITY", EquityBlue, 2);
        canvas.DrawDashedHorizontal(equityPanel.Left, equityPanel.Right, (int)Math.Round(equityPanel.Y((double)initialCapital)), Axis);
        DrawSeries(canvas, equityPanel, kept, i => values[i], EquityBlue);

        var drawdown = series.Drawdown;
        var ddKept = SeriesDownsampler.MinMaxIndices(drawdown, plotWidth * 2);
        var deepest = Math.Min(drawdown.Length == 0 ? 0 : drawdown.Min(), -0.01);
        ddPanel.SetYRange(deepest * 1.08, 0);
        DrawAxes(canvas, ddPanel, v => ChartAxes.Percent(v, ddPanel.Step), timeTicks, labelTime: true);
        FillToZero(canvas, ddPanel, ddKept, i => drawdown[i], DrawdownFill);
        DrawSeries(canvas, ddPanel, ddKept, i => drawdown[i], ExitRed, width: 1);
        canvas.DrawText(ddPanel.Left + 6, ddPanel.Bottom - 20, "DRAWDOWN", ExitRed, 2);
        return canvas;
    }

    /// <summary>Close prices with a green ▲ at each entry (price and bar of the entry) and a red ▼ at each exit.</summary>
    public static RgbaCanvas RenderPrice(string title, IReadOnlyList<Bar> bars, IReadOnlyList<TradeRecord> trades,
        int width = DefaultWidth, int height = DefaultHeight) =>
        RenderPrice(title, bars, trades, null, width, height);

    /// <summary>As above, from <paramref name="series"/>'s closes when the caller already read them.</summary>
    public static RgbaCanvas RenderPrice(string title, IReadOnlyList<Bar> bars, IReadOnlyList<TradeRecord> trades,
        ReportSeries? series, int width = DefaultWidth, int height = DefaultHeight)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(trades);
        var canvas = new RgbaCanvas(width, height, Background);
        DrawTitle(canvas, title);
        if (bars.Count == 0)
        {
            canvas.DrawText(LeftMargin, height / 2, "NO BARS", Ink, 2);
            return canvas;
        }

        var panel = new Panel(LeftMargin, TitleHeight, width - LeftMargin - RightMargin,
            height - TitleHeight - BottomMargin, bars.Count);
        series ??= ReportSeries.From(0m, [], bars);
        var close = series.Close;
        var kept = SeriesDownsampler.MinMaxIndices(close, panel.Width * 2);
        var min = kept.Min(i => close[i]);
        var max = kept.Max(i => close[i]);
        foreach (var t in trades)
        {
            min = Math.Min(min, Math.Min((double)t.EntryPrice, (double)t.ExitPrice));
            max = Math.Max(max, Math.Max((double)t.EntryPrice, (double)t.ExitPrice));
        }

        var pad = Math.Max((max - min) * 0.06, Math.Abs(max) * 0.001 + 1e-9);
        panel.SetYRange(min - pad, max + pad);
        var timeTicks = ChartAxes.TimeTicks(kept, series.BarTime);
        DrawAxes(canvas, panel, v => ChartAxes.Money(v, panel.Step), timeTicks, labelTime: true);
        DrawSeries(canvas, panel, kept, i => close[i], PriceGray, width: 1);

        DateTime TimeAt(int i) => series.BarTime(i);
        foreach (var t in trades)
        {
            var entryX = panel.X(ChartAxes.IndexAtOrBefore(bars.Count, TimeAt, t.EntryTime));
            var entryY = panel.Y((double)t.EntryPrice);
            canvas.FillTriangle(entryX, entryY + 1, entryX - 5, entryY + 10, entryX + 5, entryY + 10, EntryGreen);
            var exitX = panel.X(ChartAxes.IndexAtOrBefore(bars.Count, TimeAt, t.ExitTime));
            var exitY = panel.Y((double)t.ExitPrice);
            canvas.FillTriangle(exitX, exitY - 1, exitX - 5, exitY - 10, exitX + 5, exitY - 10, ExitRed);
        }

        // Legend in the top-left corner of the plot.
        var lx = panel.Left + 8;
        var ly = panel.Top + 8;
        canvas.DrawText(lx, ly, "CLOSE", PriceGray, 2);
        canvas.FillTriangle(lx + 90, ly, lx + 84, ly + 12, lx + 96, ly + 12, EntryGreen);
        canvas.DrawText(lx + 102, ly, "ENTRY", EntryGreen, 2);
        canvas.FillTriangle(lx + 180, ly + 12, lx + 174, ly, lx + 186, ly, ExitRed);
        canvas.DrawText(lx + 192, ly, "EXIT", ExitRed, 2);
        return canvas;
    }

    private static void DrawTitle(RgbaCanvas canvas, string title)
    {
        var maxChars = (canvas.Width - 2 * 12) / (BitmapFont.Advance * 2);
        var text = title.Length > maxChars ? title[..Math.Max(0, maxChars - 3)] + "..." : title;
        canvas.DrawText(12, 12, text, Ink, 2);
    }

    private static void DrawAxes(RgbaCanvas canvas, Panel panel, Func<double, string> yLabel,
        IReadOnlyList<AxisTick> timeTicks, bool labelTime)
    {
        foreach (var v in ChartAxes.NiceTicks(panel.YMin, panel.YMax, panel.Height >= 250 ? 6 : 4))
        {
            var y = (int)Math.Round(panel.Y(v));
            canvas.FillRect(panel.Left, y, panel.Width, 1, Grid);
            var label = yLabel(v);
            canvas.DrawText(panel.Left - 8 - BitmapFont.MeasureWidth(label, LabelScale), y - BitmapFont.GlyphHeight * LabelScale / 2,
                label, Ink, LabelScale);
        }

        foreach (var tick in timeTicks)
        {
            var x = (int)Math.Round(panel.X(tick.Value));
            canvas.FillRect(x, panel.Top, 1, panel.Height, Grid);
            if (labelTime)
            {
                var w = BitmapFont.MeasureWidth(tick.Label, LabelScale);
                canvas.DrawText(Math.Clamp(x - w / 2, 0, canvas.Width - w), panel.Bottom + 6, tick.Label, Ink, LabelScale);
            }
        }

        canvas.FillRect(panel.Left, panel.Top, 1, panel.Height + 1, Axis);
        canvas.FillRect(panel.Left, panel.Bottom, panel.Width + 1, 1, Axis);
    }

    private static void DrawSeries(RgbaCanvas canvas, Panel panel, IReadOnlyList<int> kept, Func<int, double> value,
        Rgba color, double width = 2)
    {
        if (kept.Count == 1)
        {
            canvas.FillRect((int)panel.X(kept[0]) - 1, (int)panel.Y(value(kept[0])) - 1, 3, 3, color);
            return;
        }

        for (var k = 1; k < kept.Count; k++)
        {
            canvas.DrawThickLine(panel.X(kept[k - 1]), panel.Y(value(kept[k - 1])), panel.X(kept[k]),
                panel.Y(value(kept[k])), color, width);
        }
    }

    private static void FillToZero(RgbaCanvas canvas, Panel panel, IReadOnlyList<int> kept, Func<int, double> value, Rgba color)
    {
        var zeroY = panel.Y(0);
        var lastColumn = int.MinValue;
        for (var k = 0; k < kept.Count; k++)
        {
            var x0 = panel.X(kept[k]);
            var y0 = panel.Y(value(kept[k]));
            var (x1, y1) = k + 1 < kept.Count ? (panel.X(kept[k + 1]), panel.Y(value(kept[k + 1]))) : (x0, y0);
            for (var x = (int)Math.Ceiling(x0); x <= (int)Math.Floor(x1) || x == (int)Math.Ceiling(x0); x++)
            {
                // Several kept points can share a pixel column; fill it once so the translucent fill stays even.
                if (x <= lastColumn)
                {
                    continue;
                }

                var t = x1 > x0 ? Math.Clamp((x - x0) / (x1 - x0), 0, 1) : 0;
                var y = y0 + (y1 - y0) * t;
                if (y > zeroY + 0.5)
                {
                    canvas.FillColumn(x, zeroY, y, color);
                }

                lastColumn = x;
            }
        }
    }

    /// <summary>A plot rectangle mapping a point index to x and a value to y.</summary>
    private sealed class Panel(int left, int top, int width, int height, int count)
    {
        public int Left { get; } = left;
        public int Top { get; } = top;
        public int Width { get; } = width;
        public int Height { get; } = height;
        public int Right => Left + Width;
        public int Bottom => Top + Height;
        public double YMin { get; private set; }
        public double YMax { get; private set; } = 1;

        /// <summary>Distance between two y ticks, for label decimals.</summary>
        public double Step
        {
            get
            {
                var ticks = ChartAxes.NiceTicks(YMin, YMax, Height >= 250 ? 6 : 4);
                return ticks.Count > 1 ? ticks[1] - ticks[0] : Math.Abs(YMax - YMin);
            }
        }

        public void SetYRange(double min, double max)
        {
            YMin = min;
            YMax = max > min ? max : min + 1;
        }

        public double X(double index) => count <= 1 ? Left + Width / 2.0 : Left + index / (count - 1) * Width;

        public double Y(double value) => Bottom - (value - YMin) / (YMax - YMin) * Height;
    }
}
