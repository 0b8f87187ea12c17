namespace AiTrader.Core.IO;

/// <summary>How every command shows a path it wrote or read: relative to the current folder when the path is inside it
/// (<c>artifacts/backtests/SPY-breakout-…</c>, <c>data/journal.db</c>), else absolute; always with '/' on Linux.</summary>
public static class DisplayPath
{
    /// <summary><paramref name="path"/> as the user should read it (see the type).</summary>
    public static string Of(string path) => Of(path, Directory.GetCurrentDirectory());

    /// <summary><paramref name="path"/> relative to <paramref name="currentFolder"/> when inside it, else absolute.</summary>
    public static string Of(string path, string currentFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(currentFolder);
        var full = Path.GetFullPath(path, currentFolder);
        var relative = Path.GetRelativePath(currentFolder, full);
        var outside = relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || Path.IsPathRooted(relative);
        return outside ? full : relative;
    }
}
