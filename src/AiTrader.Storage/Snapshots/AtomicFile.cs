namespace AiTrader.Storage;

/// <summary>Writes a file so that readers see either the old content or the complete new content, never a part.</summary>
public static class AtomicFile
{
    /// <summary>Suffix of the temporary files; a crash can leave one behind, and it is safe to delete.</summary>
    public const string TempSuffix = ".tmp";

    /// <summary>Writes <paramref name="content"/> to a temporary file in the target's directory, flushes it to disk,
    /// then renames it over <paramref name="path"/>. If the writer throws, the temporary file is removed and the
    /// target is left as it was.</summary>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> content, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(content);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);

        // Same directory, so the rename stays on one file system and is atomic; the random part keeps
        // concurrent writers of the same target from sharing a temp file.
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await content(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> atomically (see <see cref="WriteAsync(string, Func{Stream, CancellationToken, Task}, CancellationToken)"/>).</summary>
    public static Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
        WriteAsync(path, (stream, ct) => stream.WriteAsync(bytes, ct).AsTask(), cancellationToken);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover *.tmp is harmless and never read as a snapshot.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
