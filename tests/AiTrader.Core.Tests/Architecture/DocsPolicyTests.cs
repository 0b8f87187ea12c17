using System.Globalization;
using System.Text.RegularExpressions;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Architecture;

/// <summary>The docs policy (docs/README.md): every page under docs/ opens with front matter naming its title, track,
/// owner and last review; the track is the folder's Diátaxis track, the title is the page's heading, the review date is
/// a real date no more than a year old and not in the future, and every relative link points at a file that exists.</summary>
public sealed partial class DocsPolicyTests
{
    private static readonly Dictionary<string, string> TrackOfFolder = new(StringComparer.Ordinal)
    {
        ["tutorials"] = "tutorial",
        ["howto"] = "how-to",
        ["reference"] = "reference",
        ["explanations"] = "explanation",
    };

    private static readonly string[] Keys = ["title", "track", "owner", "last_reviewed"];

    public static TheoryData<string> Pages()
    {
        var docs = Path.Combine(TestPaths.RepoRoot, "docs");
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(docs, file).Replace(Path.DirectorySeparatorChar, '/'));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Each_page_carries_its_front_matter_and_its_links_resolve(string page)
    {
        var path = Path.Combine(TestPaths.RepoRoot, "docs", page);
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        var match = FrontMatter().Match(text);
        Assert.True(match.Success, $"docs/{page} must open with front matter (--- title, track, owner, last_reviewed ---)");
        var fields = match.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0].Trim(), p => p.Length > 1 ? p[1].Trim().Trim('"') : "", StringComparer.Ordinal);
        Assert.Equal(Keys, fields.Keys);
        Assert.All(Keys, k => Assert.False(string.IsNullOrWhiteSpace(fields[k]), $"docs/{page}: {k} is empty"));

        var folder = page.Contains('/', StringComparison.Ordinal) ? page[..page.IndexOf('/', StringComparison.Ordinal)] : "";
        var expectedTrack = TrackOfFolder.GetValueOrDefault(folder, "index");
        Assert.True(expectedTrack == fields["track"], $"docs/{page}: track '{fields["track"]}', the folder's is '{expectedTrack}'");

        var heading = Heading().Match(text[match.Length..]);
        Assert.True(heading.Success && heading.Groups[1].Value.Trim() == fields["title"].Replace('\'', '"'),
            $"docs/{page}: title '{fields["title"]}' is not the page's heading '{heading.Groups[1].Value.Trim()}'");

        Assert.True(DateOnly.TryParseExact(fields["last_reviewed"], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var reviewed),
            $"docs/{page}: last_reviewed '{fields["last_reviewed"]}' is not YYYY-MM-DD");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        Assert.True(reviewed <= today.AddDays(1) && reviewed >= today.AddYears(-1),
            $"docs/{page}: last reviewed {reviewed:yyyy-MM-dd}; review it (a year at most) and update the date");

        var directory = Path.GetDirectoryName(path)!;
        foreach (Match link in RelativeLink().Matches(text))
        {
            var target = link.Groups[1].Value;
            Assert.True(File.Exists(Path.Combine(directory, target)) || Directory.Exists(Path.Combine(directory, target)),
                $"docs/{page}: the link to '{target}' points at nothing");
        }
    }

    [Fact]
    public void The_tracks_each_have_pages_and_the_index_lists_every_tutorial_and_how_to()
    {
        var docs = Path.Combine(TestPaths.RepoRoot, "docs");
        var index = File.ReadAllText(Path.Combine(docs, "README.md"));
        foreach (var (folder, _) in TrackOfFolder)
        {
            var pages = Directory.EnumerateFiles(Path.Combine(docs, folder), "*.md").ToList();
            Assert.NotEmpty(pages);
            if (folder is "tutorials" or "howto")
            {
                Assert.All(pages, p => Assert.Contains($"{folder}/{Path.GetFileName(p)}", index, StringComparison.Ordinal));
            }
        }
    }

    [GeneratedRegex(@"\A---\n(.*?)\n---\n", RegexOptions.Singleline)]
    private static partial Regex FrontMatter();

    [GeneratedRegex(@"^# (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    /// <summary>Markdown links to a relative file (not a URL, not an anchor), without their #fragment.</summary>
    [GeneratedRegex(@"\]\((?!https?:|mailto:|#)([^)#\s]+)(?:#[^)]*)?\)")]
    private static partial Regex RelativeLink();
}
