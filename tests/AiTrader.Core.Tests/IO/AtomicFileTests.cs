using System.Text;
using AiTrader.Core.IO;

namespace AiTrader.Core.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public void WriteAllText_creates_missing_directories_and_leaves_no_temp_file()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "a", "b", "out.txt");

        AtomicFile.WriteAllText(path, "héllo\n");

        Assert.Equal("héllo\n", File.ReadAllText(path));
        // UTF-8 without a byte-order mark.
        Assert.Equal(Encoding.UTF8.GetBytes("héllo\n"), File.ReadAllBytes(path));
        Assert.Equal([Path.Combine("a", "b", "out.txt")], dir.AllFileNames());
    }

    [Fact]
    public void WriteAllText_replaces_an_existing_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("out.txt");
        File.WriteAllText(path, "old content that is longer than the new one");

        AtomicFile.WriteAllText(path, "new");

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["out.txt"], dir.AllFileNames());
    }

    [Fact]
    public void A_writer_that_throws_midway_keeps_the_old_file_and_removes_the_temp_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("out.txt");
        File.WriteAllText(path, "old");

        var ex = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("half of the new "u8);
            stream.Flush();
            throw new InvalidOperationException("boom");
        }));

        Assert.Equal("boom", ex.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["out.txt"], dir.AllFileNames());
    }

    [Fact]
    public void A_writer_that_throws_creates_no_file_when_none_existed()
    {
        using var dir = new TempDirectory();
        var path = dir.File("out.txt");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.WriteByte(42);
            throw new IOException("disk full");
        }));

        Assert.Empty(dir.AllFileNames());
    }

    [Fact]
    public async Task WriteAsync_writes_and_cancellation_keeps_the_old_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("out.bin");

        await AtomicFile.WriteAsync(path, (s, ct) => s.WriteAsync(new byte[] { 1, 2, 3 }, ct).AsTask());
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));

        using var cts = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AtomicFile.WriteAsync(path, async (s, ct) =>
        {
            await s.WriteAsync(new byte[] { 9, 9 }, ct);
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
        }, cts.Token));

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(["out.bin"], dir.AllFileNames());
    }
}
