using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AiTrader.Cli;

/// <summary>The Spectre consoles the commands print tables with: colours on a terminal, plain text when captured, and a
/// width that never splits a number, a path or a header in the middle.</summary>
/// <remarks>Spectre wraps to 80 columns when output is redirected and folds a word that is wider than its column, which
/// broke piped output (<c>$45,072.</c> / <c>46</c>). Here the width is <c>COLUMNS</c> when set, the terminal's width on a
/// terminal, and <see cref="UnboundedWidth"/> when redirected; and a table or line whose longest word cannot fit is
/// printed at its natural width instead of being folded.</remarks>
public static class CliConsole
{
    /// <summary>The width used when output is not a terminal and <c>COLUMNS</c> is not set: wide enough for any table.</summary>
    public const int UnboundedWidth = 4096;

    /// <summary>A console on <paramref name="writer"/>; interactive (colours, live progress) only on a real terminal.</summary>
    public static IAnsiConsole Create(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var terminal = IsTerminal(writer);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        console.Profile.Width = Width(writer);
        return new NoFoldConsole(console);
    }

    /// <summary>True when <paramref name="writer"/> is this process's standard output and that is a terminal.</summary>
    public static bool IsTerminal(TextWriter writer) => writer == Console.Out && !Console.IsOutputRedirected;

    /// <summary>The width to lay out for: <c>COLUMNS</c> when it is a positive number, else the terminal's width, else
    /// <see cref="UnboundedWidth"/>.</summary>
    public static int Width(TextWriter writer)
    {
        // Read through PlatformEnvironment so a test can set COLUMNS for its own async flow only.
        var variable = (PlatformEnvironment.Lookup ?? Environment.GetEnvironmentVariable)("COLUMNS");
        if (int.TryParse(variable, NumberStyles.None, CultureInfo.InvariantCulture, out var columns)
            && columns > 0)
        {
            return columns;
        }

        if (IsTerminal(writer))
        {
            try
            {
                return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
            }
            catch (IOException)
            {
                return 80;
            }
        }

        return UnboundedWidth;
    }

    /// <summary>Passes everything through, but never lets Spectre fold a word: a table's title becomes a heading line, a
    /// too-wide table gets column widths no narrower than its longest words, and anything whose longest word cannot fit
    /// is laid out at its natural width.</summary>
    private sealed class NoFoldConsole(IAnsiConsole inner) : IAnsiConsole
    {
        public Profile Profile => inner.Profile;

        public IAnsiConsoleCursor Cursor => inner.Cursor;

        public IAnsiConsoleInput Input => inner.Input;

        public IExclusivityMode ExclusivityMode => inner.ExclusivityMode;

        public RenderPipeline Pipeline => inner.Pipeline;

        public void Clear(bool home) => inner.Clear(home);

        public void WriteAnsi(Action<AnsiWriter> action) => inner.WriteAnsi(action);

        public void Write(IRenderable renderable)
        {
            // Spectre wraps a table's title to the table's width (a narrow metrics table cut its title in two); a heading
            // line above the table reads the same and only wraps, between words, at the console's width.
            if (renderable is Table { Title: { } title } table)
            {
                table.Title = null;
                try
                {
                    WriteUnfolded(new Markup(title.Text, title.Style));
                    inner.Write(Text.NewLine);
                    WriteUnfolded(table);
                }
                finally
                {
                    table.Title = title;
                }

                return;
            }

            WriteUnfolded(renderable);
        }

        private void WriteUnfolded(IRenderable renderable)
        {
            var width = inner.Profile.Width;
            var options = new RenderOptions(inner.Profile.Capabilities, new Size(width, inner.Profile.Height));
            if (renderable is Table table)
            {
                WriteTable(table, options, width);
                return;
            }

            var measured = renderable.Measure(options, UnboundedWidth);
            if (measured.Min <= width)
            {
                inner.Write(renderable);
                return;
            }

            WriteAtWidth(renderable, Math.Max(width, measured.Max));
        }

        /// <summary>Spectre narrows a too-wide table by shrinking its widest columns, below their longest word if need
        /// be (<c>$43,845.3</c>, <c>Contribu…</c>). Here each column gets a fixed width between its longest word and its
        /// longest cell, the widest shrunk first; when even the longest words cannot fit, the table is printed whole.</summary>
        private void WriteTable(Table table, RenderOptions options, int width)
        {
            var columns = table.Columns;
            var n = columns.Count;
            var min = new int[n];
            var max = new int[n];
            for (var i = 0; i < n; i++)
            {
                var header = columns[i].Header.Measure(options, UnboundedWidth);
                (min[i], max[i]) = (header.Min, header.Max);
                foreach (var row in table.Rows)
                {
                    if (i < row.Count)
                    {
                        var cell = row[i].Measure(options, UnboundedWidth);
                        (min[i], max[i]) = (Math.Max(min[i], cell.Min), Math.Max(max[i], cell.Max));
                    }
                }
            }

            var padding = columns.Sum(c => (c.Padding?.Left ?? 1) + (c.Padding?.Right ?? 1));
            var border = table.Border;
            if (max.Sum() + padding + Borders(border, n) <= width)
            {
                inner.Write(table);
                return;
            }

            // Narrowed with its border; on a narrow terminal, without its border lines (same rows, n + 1 columns fewer).
            foreach (var candidate in new[] { border, TableBorder.None })
            {
                var available = width - padding - Borders(candidate, n);
                if (min.Sum() <= available)
                {
                    WriteNarrowed(table, candidate, Narrow(min, max, available));
                    return;
                }
            }

            WriteAtWidth(table, Math.Max(width, max.Sum() + padding + Borders(border, n)));
        }

        private static int Borders(TableBorder border, int columns) => border.Visible ? columns + 1 : 0;

        /// <summary>Column widths that add up to <paramref name="available"/>: each starts at its longest cell and the
        /// widest is shrunk first, never below its longest word.</summary>
        private static int[] Narrow(int[] min, int[] max, int available)
        {
            var widths = (int[])max.Clone();
            for (var excess = widths.Sum() - available; excess > 0; excess--)
            {
                var widest = -1;
                for (var i = 0; i < widths.Length; i++)
                {
                    if (widths[i] > min[i] && (widest < 0 || widths[i] > widths[widest]))
                    {
                        widest = i;
                    }
                }

                widths[widest]--;
            }

            return widths;
        }

        private void WriteNarrowed(Table table, TableBorder border, int[] widths)
        {
            var columns = table.Columns;
            var saved = columns.Select(c => c.Width).ToArray();
            var savedBorder = table.Border;
            try
            {
                table.Border(border);
                for (var i = 0; i < columns.Count; i++)
                {
                    columns[i].Width = widths[i];
                }

                inner.Write(table);
            }
            finally
            {
                table.Border(savedBorder);
                for (var i = 0; i < columns.Count; i++)
                {
                    columns[i].Width = saved[i];
                }
            }
        }

        private void WriteAtWidth(IRenderable renderable, int wide)
        {
            var width = inner.Profile.Width;
            inner.Profile.Width = wide;
            try
            {
                inner.Write(renderable);
            }
            finally
            {
                inner.Profile.Width = width;
            }
        }
    }
}
