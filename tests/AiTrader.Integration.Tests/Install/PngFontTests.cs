using System.Diagnostics;
using AiTrader.Integration.Tests.TestSupport;
using SkiaSharp;

namespace AiTrader.Integration.Tests.Install;

/// <summary>PNG charts on a machine without fonts (as the slim .NET container images are): the CLI runs in a mount
/// namespace where /usr/share/fonts, the only place SkiaSharp's Linux natives look, is an empty folder, and the chart's
/// title must still be drawn (the embedded font), where before it rendered blank.</summary>
public sealed class PngFontTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aitrader-png-fonts-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Png_text_is_drawn_where_no_font_is_installed()
    {
        var output = Path.Combine(_root, "out");
        // unshare needs root (CI and this machine run the tests as root); the empty tmpfs hides every installed font
        // from this process only.
        var script = "mount -t tmpfs none /usr/share/fonts && test -z \"$(ls -A /usr/share/fonts)\" && echo fonts-hidden >&2 && exec \"$@\"";
        var start = CliProcess.Program("unshare", ["-m", "sh", "-c", script, "sh", "dotnet", CliProcess.Dll, "backtest", "--symbol", "SPY",
            "--start", "2019-01-01", "--png", "--out", output]);
        start.Environment["AITRADER_DATA_DIR"] = Path.Combine(_root, "data");
        start.Environment["AITRADER_BAR_CACHE"] = "off";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr}");
        Assert.Contains("fonts-hidden", await stderr, StringComparison.Ordinal);
        Assert.Contains("equity.png", await stdout, StringComparison.Ordinal);

        using var png = SKBitmap.Decode(Path.Combine(output, "equity.png"));
        Assert.Equal((1200, 600), (png.Width, png.Height));
        // The title is dark text on white in rows 9 to 20; drawn blank, the plot's frame moves up to row 25 and the rows
        // above it are white (measured: 0 dark pixels in rows 0 to 24 before the font was embedded, about 650 now).
        var dark = 0;
        for (var y = 0; y < 23; y++)
        {
            for (var x = 0; x < png.Width; x++)
            {
                var c = png.GetPixel(x, y);
                if (c.Red + c.Green + c.Blue < 200)
                {
                    dark++;
                }
            }
        }

        Assert.True(dark > 200, $"the title is blank: {dark} dark pixels in its rows");
    }
}
