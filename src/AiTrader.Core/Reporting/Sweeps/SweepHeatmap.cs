using System.Globalization;
using System.Net;
using System.Text;

using AiTrader.Core.Backtesting.Sweeps;

namespace AiTrader.Core.Reporting.Sweeps;

/// <summary>The rank metric over the first two grid parameters, the other parameters fixed at the best combination's values.</summary>
/// <param name="Metric">The metric shown in the cells.</param>
/// <param name="XName">First grid parameter (columns).</param>
/// <param name="XValues">Its values, in grid order.</param>
/// <param name="YName">Second grid parameter (rows), or null for a one-parameter grid (a single row).</param>
/// <param name="YValues">Its values, in grid order (one empty label when <paramref name="YName"/> is null).</param>
/// <param name="Cells">Cells[row][column]: the metric, null when undefined.</param>
/// <param name="Fixed">The other parameters and the value each is held at.</param>
/// <param name="Best">The best combination overall (its cell is outlined when it lies on this slice).</param>
public sealed record SweepHeatmap(
    RankMetric Metric,
    string XName,
    IReadOnlyList<string> XValues,
    string? YName,
    IReadOnlyList<string> YValues,
    IReadOnlyList<IReadOnlyList<double?>> Cells,
    IReadOnlyList<KeyValuePair<string, string>> Fixed,
    ParameterCombination Best)
{
    /// <summary>Slices <paramref name="result"/> through its best combination along the first two grid parameters.</summary>
    public static SweepHeatmap From(SweepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var grid = result.Grid;
        var best = result.Best.Combination;
        var bestDigits = grid.Digits(best.Index);
        var x = grid.Parameters[0];
        var y = grid.Parameters.Count > 1 ? grid.Parameters[1] : null;
        var rowCount = y?.Values.Count ?? 1;

        var cells = new List<IReadOnlyList<double?>>(rowCount);
        for (var r = 0; r < rowCount; r++)
        {
            var row = new double?[x.Values.Count];
            for (var c = 0; c < row.Length; c++)
            {
                var digits = (int[])bestDigits.Clone();
                digits[0] = c;
                if (y is not null)
                {
                    digits[1] = r;
                }

                row[c] = result.Rows[grid.IndexOf(digits)].Score;
            }

            cells.Add(row);
        }

        var fixedValues = grid.Parameters.Skip(2)
            .Select((p, i) => new KeyValuePair<string, string>(p.Name, best.Values[i + 2])).ToArray();
        return new SweepHeatmap(result.RankBy, x.Name, x.Values, y?.Name, y?.Values ?? [""], cells, fixedValues, best);
    }

    /// <summary>The smallest and largest defined cell values; (0, 0) when no cell is defined.</summary>
    public (double Min, double Max) ValueRange()
    {
        var values = Cells.SelectMany(r => r).OfType<double>().ToArray();
        return values.Length == 0 ? (0.0, 0.0) : (values.Min(), values.Max());
    }

    /// <summary>Where <paramref name="value"/> sits on the colour scale: 0 at the worst defined cell, 1 at the best,
    /// 0.5 when all defined cells are equal; null when the value is undefined.</summary>
    public double? ScalePosition(double? value)
    {
        if (value is not { } v)
        {
            return null;
        }

        var (min, max) = ValueRange();
        return max > min ? (v - min) / (max - min) : 0.5;
    }

    /// <summary>The fill of a cell: its place on <see cref="HeatmapColorScale"/>, or the undefined grey.</summary>
    public Reporting.Rgba CellColor(double? value) =>
        ScalePosition(value) is { } t ? HeatmapColorScale.At(t) : HeatmapColorScale.Undefined;

    /// <summary>Column and row of the best combination's cell, or null when it does not lie on this slice.</summary>
    public (int Column, int Row)? BestCell()
    {
        var column = IndexOf(XValues, Best.Values[0]);
        var row = YName is null ? 0 : IndexOf(YValues, Best.Values[1]);
        return column >= 0 && row >= 0 ? (column, row) : null;
    }

    /// <summary>The line under the title: the metric and axes, or the parameters held at the best combination's values.</summary>
    public string Subtitle() => Fixed.Count == 0
        ? $"{Metric.Name()} by {XName}{(YName is null ? "" : " and " + YName)}"
        : $"{Metric.Name()}; fixed at best: {string.Join(", ", Fixed.Select(f => $"{f.Key}={f.Value}"))}";

    /// <summary>The cell text: percentages for returns, two decimals for ratios, n/a when undefined.</summary>
    public string FormatValue(double? value) => value switch
    {
        null => "n/a",
        { } v when Metric is RankMetric.Cagr or RankMetric.TotalReturn =>
            (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%",
        { } v => v.ToString("0.00", CultureInfo.InvariantCulture),
    };

    private static int IndexOf(IReadOnlyList<string> values, string value)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] == value)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>Draws a <see cref="SweepHeatmap"/> as a self-contained SVG (and an HTML page around it): no scripts, fonts or links.</summary>
public static class SweepHeatmapSvg
{
    private const int CellWidth = 76;
    private const int CellHeight = 34;
    private const int Left = 110;
    private const int Top = 64;
    private const int Bottom = 70;
    private const int Right = 24;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The SVG document; the best cell is outlined, colours from <see cref="HeatmapColorScale"/>.</summary>
    public static string Render(SweepHeatmap map, string title)
    {
        ArgumentNullException.ThrowIfNull(map);
        var columns = map.XValues.Count;
        var rows = map.YValues.Count;
        var width = Left + columns * CellWidth + Right;
        var height = Top + rows * CellHeight + Bottom;

        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n");
        sb.Append(Inv, $"<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n");
        sb.Append(Inv, $"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{Escape(title)}</text>\n");
        sb.Append(Inv, $"<text x=\"{width / 2}\" y=\"42\" text-anchor=\"middle\" fill=\"#444444\">{Escape(map.Subtitle())}</text>\n");

        for (var r = 0; r < rows; r++)
        {
            var y = Top + r * CellHeight;
            sb.Append(Inv, $"<text x=\"{Left - 8}\" y=\"{y + CellHeight / 2 + 4}\" text-anchor=\"end\">{Escape(map.YValues[r])}</text>\n");
            for (var c = 0; c < columns; c++)
            {
                var x = Left + c * CellWidth;
                var value = map.Cells[r][c];
                var fill = HeatmapColorScale.Hex(map.CellColor(value));
                sb.Append(Inv, $"<rect x=\"{x}\" y=\"{y}\" width=\"{CellWidth}\" height=\"{CellHeight}\" fill=\"{fill}\" stroke=\"#ffffff\"/>\n");
                sb.Append(Inv, $"<text x=\"{x + CellWidth / 2}\" y=\"{y + CellHeight / 2 + 4}\" text-anchor=\"middle\">{Escape(map.FormatValue(value))}</text>\n");
            }
        }

        if (map.BestCell() is var (bestColumn, bestRow))
        {
            sb.Append(Inv, $"<rect x=\"{Left + bestColumn * CellWidth + 1}\" y=\"{Top + bestRow * CellHeight + 1}\" width=\"{CellWidth - 2}\" height=\"{CellHeight - 2}\" fill=\"none\" stroke=\"#000000\" stroke-width=\"2\"/>\n");
        }

        var axisY = Top + rows * CellHeight;
        for (var c = 0; c < columns; c++)
        {
            sb.Append(Inv, $"<text x=\"{Left + c * CellWidth + CellWidth / 2}\" y=\"{axisY + 18}\" text-anchor=\"middle\">{Escape(map.XValues[c])}</text>\n");
        }

        sb.Append(Inv, $"<text x=\"{Left + columns * CellWidth / 2}\" y=\"{axisY + 44}\" text-anchor=\"middle\" font-weight=\"bold\">{Escape(map.XName)}</text>\n");
        if (map.YName is not null)
        {
            var cy = Top + rows * CellHeight / 2;
            sb.Append(Inv, $"<text x=\"20\" y=\"{cy}\" text-anchor=\"middle\" font-weight=\"bold\" transform=\"rotate(-90 20 {cy})\">{Escape(map.YName)}</text>\n");
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }

    /// <summary>A minimal HTML page that inlines the SVG, so it opens offline in any browser.</summary>
    public static string RenderHtml(SweepHeatmap map, string title)
    {
        var svg = Render(map, title);
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
            $"<title>{Escape(title)}</title>\n" +
            "<style>body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222}</style>\n</head>\n<body>\n" +
            svg + "</body>\n</html>\n";
    }

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
