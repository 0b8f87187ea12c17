using System.Buffers.Binary;
using System.IO.Compression;

namespace AiTrader.Core.Reporting;

/// <summary>Encodes an <see cref="RgbaCanvas"/> as a PNG (8-bit RGBA, non-interlaced).</summary>
/// <remarks>Each scanline uses the Up filter: chart backgrounds repeat row to row, so most filtered bytes are zero and
/// deflate shrinks them to almost nothing. Chunk CRCs come from <see cref="Crc32"/>.</remarks>
public static class PngEncoder
{
    /// <summary>The eight bytes every PNG file starts with.</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private const byte FilterUp = 2;

    /// <summary>The complete PNG file for <paramref name="canvas"/>.</summary>
    public static byte[] Encode(RgbaCanvas canvas)
    {
        ArgumentNullException.ThrowIfNull(canvas);
        using var output = new MemoryStream();
        output.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, canvas.Width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], canvas.Height);
        header[8] = 8; // bit depth
        header[9] = 6; // colour type: truecolour with alpha
        header[10] = 0; // compression: deflate
        header[11] = 0; // filter method: adaptive (per-row filter byte)
        header[12] = 0; // no interlace
        WriteChunk(output, "IHDR", header);
        WriteChunk(output, "IDAT", CompressScanlines(canvas));
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    private static byte[] CompressScanlines(RgbaCanvas canvas)
    {
        var stride = canvas.Width * 4;
        var pixels = canvas.Pixels;
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[stride + 1];
            row[0] = FilterUp;
            for (var y = 0; y < canvas.Height; y++)
            {
                var current = pixels.AsSpan(y * stride, stride);
                if (y == 0)
                {
                    // Up against the implicit all-zero row above the image is the raw row.
                    current.CopyTo(row.AsSpan(1));
                }
                else
                {
                    var above = pixels.AsSpan((y - 1) * stride, stride);
                    for (var i = 0; i < stride; i++)
                    {
                        row[i + 1] = (byte)(current[i] - above[i]);
                    }
                }

                zlib.Write(row);
            }
        }

        return compressed.ToArray();
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);

        Span<byte> typeBytes = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            typeBytes[i] = (byte)type[i];
        }

        output.Write(typeBytes);
        output.Write(data);

        // The CRC covers the chunk type and data, not the length.
        var crc = Crc32.Append(Crc32.Compute(typeBytes), data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }
}
