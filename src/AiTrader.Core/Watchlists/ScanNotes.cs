using System.Globalization;
using AiTrader.Core.Scanning;

namespace AiTrader.Core.Watchlists;

/// <summary>The text a scan refresh gives a watchlist, alike from the scheduler and the <c>scan</c> source.</summary>
internal static class ScanNotes
{
    /// <summary>The list's note: <c>scan replay at 2013-10-08 13:25Z over 3 symbol(s)</c>.</summary>
    public static string Header(ScanRefresh refresh) =>
        string.Create(CultureInfo.InvariantCulture, $"scan {refresh.Mode} at {refresh.Window:yyyy-MM-dd HH:mm}Z over {refresh.UniverseSize} symbol(s)");

    /// <summary>A row's note: <c>gap 0.000597, rvol 0.9012</c> (<c>-</c> when RVOL is undefined).</summary>
    public static string GapAndRvol(ScanRow row)
    {
        var inv = CultureInfo.InvariantCulture;
        return string.Create(inv, $"gap {row.Gap:0.######}, rvol {(row.Rvol is { } v ? v.ToString("0.####", inv) : "-")}");
    }
}
