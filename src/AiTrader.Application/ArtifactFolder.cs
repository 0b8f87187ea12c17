using System.Globalization;

namespace AiTrader.Application;

/// <summary>Output folders no two runs share, even when started in the same second by two processes.</summary>
public static class ArtifactFolder
{
    /// <summary>Creates and returns <c>{parent}/{name}-{UTC time}</c>, with <c>-2</c>, <c>-3</c>, ... when that is taken. A
    /// folder is claimed by creating its <c>.run</c> marker exclusively, which only one process can do.</summary>
    public static string CreateUnique(string parent, string name)
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        for (var n = 1; n < 10_000; n++)
        {
            var path = Path.Combine(parent, n == 1 ? $"{name}-{stamp}" : string.Create(CultureInfo.InvariantCulture, $"{name}-{stamp}-{n}"));
            Directory.CreateDirectory(path);
            try
            {
                using (new FileStream(Path.Combine(path, ".run"), FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                }

                return path;
            }
            catch (IOException) when (File.Exists(Path.Combine(path, ".run")))
            {
                // Another run claimed it first.
            }
        }

        throw new RequestException($"could not find a free output folder under {parent}; pass --out.");
    }
}
