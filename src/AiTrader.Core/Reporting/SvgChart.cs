using System.Globalization;
using System.Text;

namespace AiTrader.Core.Reporting;

/// <summary>Builds one inline SVG line chart (plot area, grid, axis labels) for <see cref="HtmlReport"/>.</summary>
/// <remarks>x is a point index (bars, not calendar time, so weekends and nights leave no gaps), y a value. The SVG has
/// a viewBox and no fixed size, so it scales with the page; no xmlns is needed inside HTML5.</remarks>
internal sealed class SvgChart
{
    private const int Left = 78;
    private const int Right = 16;
    private const int Top = 12;
    private const int Bottom = 28;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private readonly StringBuilder _body = new();
    private readonly int _count;

    public SvgChart(int width, int height, int count, double yMin, double yMax)
    {
        Width = width;
        Height = height;
        _count = count;
        YMin = yMin;
        YMax = yMax > yMin ? yMax : yMin + 1;
    }

    public int Width { get; }
    public int Height { get; }
    public double YMin { get; }
    public double YMax { get; }
    private double PlotWidth => Width - Left - Right;
    private double PlotHeight => Height - Top - Bottom;

    public double X(double index) => _count <= 1 ? Left + PlotWidth / 2 : Left + index / (_count - 1) * PlotWidth;

    public double Y(double value) => Top + PlotHeight - (value - YMin) / (YMax - YMin) * PlotHeight;

    /// <summary>Horizontal grid lines with y labels and vertical grid lines at the time ticks.</summary>
    public void Axes(Func<double, double, string> yLabel, IReadOnlyList<AxisTick> timeTicks)
    {
        var ticks = ChartAxes.NiceTicks(YMin, YMax, PlotHeight >= 200 ? 6 : 4);
        var step = ticks.Count > 1 ? ticks[1] - ticks[0] : YMax - YMin;
        _body.Append("<g class=\"grid\">");
        foreach (var v in ticks)
        {
            var y = F(Y(v));
            _body.Append($"<line x1=\"{Left}\" y1=\"{y}\" x2=\"{F(Left + PlotWidth)}\" y2=\"{y}\"/>");
            _body.Append($"<text class=\"yl\" x=\"{Left - 6}\" y=\"{y}\">{Esc(yLabel(v, step))}</text>");
        }

        foreach (var tick in timeTicks)
        {
            var x = F(X(tick.Value));
            _body.Append($"<line x1=\"{x}\" y1=\"{Top}\" x2=\"{x}\" y2=\"{F(Top + PlotHeight)}\"/>");
            _body.Append($"<text class=\"xl\" x=\"{x}\" y=\"{F(Top + PlotHeight + 18)}\">{Esc(tick.Label)}</text>");
        }

        _body.Append("</g>");
        _body.Append($"<rect class=\"frame\" x=\"{Left}\" y=\"{Top}\" width=\"{F(PlotWidth)}\" height=\"{F(PlotHeight)}\"/>");
    }

    public void Polyline(IReadOnlyList<int> indices, Func<int, double> value, string cssClass)
    {
        _body.Append($"<polyline class=\"{cssClass}\" points=\"");
        AppendPoints(indices, value);
        _body.Append("\"/>");
    }

    /// <summary>A filled area between the series and the line y = 0 (the underwater drawdown).</summary>
    public void AreaToZero(IReadOnlyList<int> indices, Func<int, double> value, string cssClass)
    {
        if (indices.Count == 0)
        {
            return;
        }

        var zero = F(Y(0));
        _body.Append($"<polygon class=\"{cssClass}\" points=\"{F(X(indices[0]))},{zero} ");
        AppendPoints(indices, value);
        _body.Append($" {F(X(indices[^1]))},{zero}\"/>");
    }

    public void HorizontalRule(double value, string cssClass) =>
        _body.Append($"<line class=\"{cssClass}\" x1=\"{Left}\" y1=\"{F(Y(value))}\" x2=\"{F(Left + PlotWidth)}\" y2=\"{F(Y(value))}\"/>");

    /// <summary>A triangle marker (up: tip at the value, body below; down: tip at the value, body above) with a tooltip.</summary>
    public void Marker(double index, double value, bool up, string cssClass, string tooltip)
    {
        var x = F(X(index));
        var y = F(Y(value));
        var d = up ? $"M{x} {y}l-5 9h10z" : $"M{x} {y}l-5 -9h10z";
        _body.Append($"<path class=\"{cssClass}\" d=\"{d}\"><title>{Esc(tooltip)}</title></path>");
    }

    public string ToSvg(string ariaLabel) =>
        $"<svg viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Esc(ariaLabel)}\">{_body}</svg>";

    private void AppendPoints(IReadOnlyList<int> indices, Func<int, double> value)
    {
        for (var k = 0; k < indices.Count; k++)
        {
            if (k > 0)
            {
                _body.Append(' ');
            }

            _body.Append(F(X(indices[k]))).Append(',').Append(F(Y(value(indices[k]))));
        }
    }

    private static string F(double v) => v.ToString("0.#", Inv);

    private static string Esc(string text) => HtmlText.Escape(text);
}
