using System.Text;

namespace AiTrader.Core.IO;

/// <summary>A write-only stream that decodes the UTF-8 bytes written to it and passes the text on to a
/// <see cref="TextWriter"/> as it comes, so a writer that produces UTF-8 (the streaming CSV writers) can write to a
/// console or any text writer without holding the whole output in memory first.</summary>
/// <remarks>The decoder keeps a character split across two writes until its last byte arrives; <see cref="Flush"/>
/// (and disposing) hands on what is complete and flushes the text writer, which this stream does not own.</remarks>
public sealed class TextWriterStream(TextWriter writer) : Stream
{
    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
    private char[] _chars = new char[4096];

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var needed = _decoder.GetCharCount(buffer, flush: false);
        if (needed > _chars.Length)
        {
            _chars = new char[Math.Max(needed, 2 * _chars.Length)];
        }

        var written = _decoder.GetChars(buffer, _chars, flush: false);
        writer.Write(_chars, 0, written);
    }

    public override void Flush() => writer.Flush();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Bytes of an unfinished character at the very end are an error in the writer upstream: the strict decoder says so.
            var written = _decoder.GetChars([], _chars, flush: true);
            writer.Write(_chars, 0, written);
            writer.Flush();
        }

        base.Dispose(disposing);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
