namespace AiTrader.Cli;

/// <summary>Checks an output path the user named before any work is done, so an unwritable <c>--out</c> is bad input
/// (one line, exit code 2) rather than a failure after a long run, and nothing is created at that path by the check.</summary>
public static class OutputPath
{
    /// <summary>Throws a <see cref="CliException"/> unless <paramref name="path"/> is, or can be created as, a folder
    /// this process may write in.</summary>
    public static void CheckFolder(string? path, string flag)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return;
        }

        var full = Full(path, flag);
        if (File.Exists(full))
        {
            throw new CliException($"{flag} '{path}' is a file; give a folder for the results.");
        }

        CheckWritable(full, path, flag);
    }

    /// <summary>Throws a <see cref="CliException"/> unless a file can be written at <paramref name="path"/> ('-', standard
    /// output, is always fine).</summary>
    public static void CheckFile(string? path, string flag)
    {
        if (string.IsNullOrWhiteSpace(path) || path == "-")
        {
            return;
        }

        var full = Full(path, flag);
        if (Directory.Exists(full))
        {
            throw new CliException($"{flag} '{path}' is a folder; give a file name, e.g. {Path.Combine(path, "out.csv")}.");
        }

        CheckWritable(Path.GetDirectoryName(full) ?? full, path, flag);
    }

    private static string Full(string path, string flag)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new CliException($"{flag} '{path}' is not a valid path.");
        }
    }

    /// <summary>Finds the nearest folder that exists at or above <paramref name="folder"/> and proves it writable by
    /// creating and removing an empty probe folder in it.</summary>
    private static void CheckWritable(string folder, string path, string flag)
    {
        var existing = folder;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing))
            {
                throw new CliException($"{flag} '{path}': '{existing}' is a file, not a folder; pick another path.");
            }

            var parent = Path.GetDirectoryName(existing);
            if (parent is null)
            {
                throw new CliException($"{flag} '{path}': no such drive or root folder; pick another path.");
            }

            existing = parent;
        }

        var probe = Path.Combine(existing, $".aitrader-write-check-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{flag} '{path}': cannot write in {existing}; pick a folder you can write to.");
        }
    }
}
