using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace AiTrader.Reporting;

/// <summary>The dashboard's browser code, embedded in this assembly from the service's wwwroot at build time, put together
/// for a file that must stand alone: lightweight-charts as it is, the ES modules a page needs as one inline module.</summary>
/// <remarks>An inline module cannot import another file (from file:// the browser refuses, and nothing may be fetched), so
/// each module becomes a function whose result holds its exports, in dependency order, and each import reads them from
/// there. Only the forms the dashboard's code uses are understood: <c>import { a, b as c } from './x.js';</c> at the start
/// of a line, and <c>export</c> before a <c>function</c>, <c>async function</c>, <c>const</c>, <c>let</c> or <c>class</c>;
/// anything else that imports or exports is refused by name, so a new form fails the report's tests, not a user's browser.</remarks>
public static partial class DashboardScripts
{
    private const string Prefix = "dashboard/assets/";
    private static readonly Lazy<string> ReportCode = new(() => InlineModules("report.js"));
    private static readonly Lazy<string> Library = new(() => ScriptSafe(Asset("lightweight-charts.standalone.production.js")));
    private static readonly Lazy<string> Stylesheet = new(() => Asset("app.css"));
    private static readonly Lazy<string> ThemeCode = new(() => ScriptSafe(Asset("theme.js")));

    /// <summary>TradingView lightweight-charts, the standalone build the dashboard serves (defines <c>LightweightCharts</c>).</summary>
    public static string LightweightCharts => Library.Value;

    /// <summary>The dashboard's stylesheet (theme colours, light and dark).</summary>
    public static string Css => Stylesheet.Value;

    /// <summary>The dashboard's theme script (a saved light or dark choice applied before the page paints).</summary>
    public static string Theme => ThemeCode.Value;

    /// <summary>report.js with every module it imports, as the body of one <c>&lt;script type="module"&gt;</c>.</summary>
    public static string ReportModule => ReportCode.Value;

    /// <summary>The embedded asset <paramref name="name"/> (a file name in the dashboard's assets folder).</summary>
    public static string Asset(string name)
    {
        using var stream = typeof(DashboardScripts).Assembly.GetManifestResourceStream(Prefix + name)
            ?? throw new InvalidOperationException($"dashboard asset {name} is not embedded in {typeof(DashboardScripts).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The module <paramref name="entry"/> and the modules it imports (relative, './x.js'), as one script.</summary>
    public static string InlineModules(string entry) => InlineModules(entry, Asset);

    /// <summary>As above, reading each module's text from <paramref name="read"/> (by file name).</summary>
    public static string InlineModules(string entry, Func<string, string> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var order = new List<string>();
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        Visit(entry, read, texts, order, []);
        var script = new StringBuilder();
        foreach (var name in order)
        {
            script.Append(Wrap(name, texts[name]));
        }

        return ScriptSafe(script.ToString());
    }

    private static void Visit(string name, Func<string, string> read, Dictionary<string, string> texts, List<string> order, HashSet<string> path)
    {
        if (texts.ContainsKey(name))
        {
            return;
        }

        if (!path.Add(name))
        {
            throw new InvalidOperationException($"dashboard module {name} imports itself through a cycle; the inliner needs an order");
        }

        var text = read(name);
        foreach (Match import in ImportLine().Matches(text))
        {
            Visit(import.Groups["from"].Value, read, texts, order, path);
        }

        path.Remove(name);
        texts[name] = text;
        order.Add(name);
    }

    private static string Wrap(string name, string text)
    {
        var exports = new List<string>();
        var body = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            var import = ImportLine().Match(line);
            if (import.Success)
            {
                var names = import.Groups["names"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(n => n.Replace(" as ", ": ", StringComparison.Ordinal));
                body.Append("const { ").AppendJoin(", ", names).Append(" } = ").Append(Variable(import.Groups["from"].Value)).Append(";\n");
                continue;
            }

            var export = ExportLine().Match(line);
            if (export.Success)
            {
                exports.Add(export.Groups["name"].Value);
                body.Append(line.AsSpan("export ".Length)).Append('\n');
                continue;
            }

            if (line.StartsWith("import ", StringComparison.Ordinal) || line.StartsWith("export ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"dashboard module {name}: the report's inliner does not understand \"{line.Trim()}\"; " +
                    "use import { a, b } from './x.js'; and export function/const/let/class");
            }

            body.Append(line).Append('\n');
        }

        return $"const {Variable(name)} = (() => {{\n{body}return {{ {string.Join(", ", exports)} }};\n}})();\n";
    }

    private static string Variable(string module) => "__module_" + NonIdentifier().Replace(Path.GetFileNameWithoutExtension(module), "_");

    // Text inside <script> ends at the first "</script"; in JavaScript "<\/" inside a string means the same as "</".
    private static string ScriptSafe(string code) => code.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"^import \{(?<names>[^}]*)\} from '\./(?<from>[\w.-]+\.js)';\s*$", RegexOptions.Multiline)]
    private static partial Regex ImportLine();

    [GeneratedRegex(@"^export (?:async function\*? |function\*? |const |let |class )(?<name>[A-Za-z_$][\w$]*)")]
    private static partial Regex ExportLine();

    [GeneratedRegex(@"[^A-Za-z0-9_]")]
    private static partial Regex NonIdentifier();
}
