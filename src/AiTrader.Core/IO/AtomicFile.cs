using System.Text;

namespace AiTrader.Core.IO;

/// <summary>Writes files so that readers see either the old complete file or the new complete file, never a partial one.</summary>
/// <remarks>The content goes to a uniquely named temporary file in the target's own directory (a rename is only atomic
/// within one volume), is flushed to disk (unless the caller opts out), and then replaces the target with
/// <see cref="File.Move(string, string, bool)"/>. If writing fails the temporary file is deleted and the old target is
/// left untouched.</remarks>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Atomically replaces <paramref name="path"/> with <paramref name="text"/> encoded as UTF-8 without a BOM.</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Write(path, stream =>
        {
            var bytes = Utf8NoBom.GetBytes(text);
            stream.Write(bytes, 0, bytes.Length);
        });
    }

    /// <summary>Atomically replaces <paramref name="path"/> with whatever <paramref name="write"/> puts into the stream.</summary>
    /// <param name="flushToDisk">False to skip the flush through the OS cache: a crash soon after may then leave the
    /// target empty or torn (for files whose readers detect that, such as a checksummed cache entry).</param>
    public static void Write(string path, Action<Stream> write, bool flushToDisk = true)
    {
        // A file staged and committed at once; a failure anywhere (the writer, the rename) deletes the temporary file.
        using var staged = Stage(path, write, flushToDisk);
        staged.Commit();
    }

    /// <summary>Writes <paramref name="path"/>'s new content to its temporary file without replacing it yet: several files
    /// can be staged (a failure in any leaves every target untouched) and then committed in order.</summary>
    /// <param name="flushToDisk">See <see cref="Write(string, Action{Stream}, bool)"/>.</param>
    public static StagedFile Stage(string path, Action<Stream> write, bool flushToDisk = true)
    {
        ArgumentNullException.ThrowIfNull(write);
        var (target, temp) = Prepare(path);
        try
        {
            using (var stream = OpenTemp(temp))
            {
                write(stream);
                // Flush through the OS cache so a crash after the rename cannot expose an empty or torn file.
                stream.Flush(flushToDisk);
            }

            return new StagedFile(target, temp);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>A file written to its temporary name by <see cref="Stage"/>: <see cref="Commit"/> renames it into place;
    /// disposing it uncommitted deletes it.</summary>
    public sealed class StagedFile : IDisposable
    {
        private readonly string _temp;
        private bool _done;

        internal StagedFile(string target, string temp)
        {
            Path = target;
            _temp = temp;
        }

        /// <summary>The target's full path.</summary>
        public string Path { get; }

        public void Commit()
        {
            ObjectDisposedException.ThrowIf(_done, this);
            File.Move(_temp, Path, overwrite: true);
            _done = true;
        }

        public void Dispose()
        {
            if (!_done)
            {
                _done = true;
                TryDelete(_temp);
            }
        }
    }

    /// <summary>Asynchronous form of <see cref="Write(string, Action{Stream}, bool)"/>.</summary>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        var (target, temp) = Prepare(path);
        try
        {
            await using (var stream = OpenTemp(temp, useAsync: true))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static (string Target, string Temp) Prepare(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var target = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(target)
            ?? throw new ArgumentException($"'{path}' has no parent directory.", nameof(path));
        Directory.CreateDirectory(directory);

        // Leading dot hides the temp file from casual listings; the GUID keeps concurrent writers apart.
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        return (target, temp);
    }

    private static FileStream OpenTemp(string temp, bool useAsync = false) =>
        new(temp, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = useAsync ? FileOptions.Asynchronous : FileOptions.None,
        });

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
            // Best effort: the original exception is the one worth reporting.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
