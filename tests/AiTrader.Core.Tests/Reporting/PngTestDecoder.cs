using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace AiTrader.Core.Tests.Reporting;

/// <summary>A minimal PNG reader for tests, independent of the library that wrote the file (ScottPlot, SkiaSharp): checks the
/// signature and every chunk CRC (with its own bitwise CRC-32), inflates IDAT, undoes all five scanline filters and gives
/// RGBA pixels (an RGB file as opaque).</summary>
internal sealed record DecodedPng(int Width, int Height, byte BitDepth, byte ColorType, byte[] Rgba, byte[] FilterBytes,
    IReadOnlyList<string> ChunkTypes)
{
    public (byte R, byte G, byte B, byte A) Pixel(int x, int y)
    {
        var i = (y * Width + x) * 4;
        return (Rgba[i], Rgba[i + 1], Rgba[i + 2], Rgba[i + 3]);
    }

    public static DecodedPng Decode(byte[] png)
    {
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.True(png.AsSpan(0, 8).SequenceEqual(signature), "bad PNG signature");

        var types = new List<string>();
        var idat = new MemoryStream();
        int width = 0, height = 0;
        byte depth = 0, colorType = 0;
        var pos = 8;
        while (pos < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            var type = Encoding.ASCII.GetString(png, pos + 4, 4);
            var data = png.AsSpan(pos + 8, length);
            var storedCrc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length));
            Assert.Equal(BitwiseCrc32(png.AsSpan(pos + 4, 4 + length)), storedCrc);
            types.Add(type);
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    depth = data[8];
                    colorType = data[9];
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
            }

            pos += 12 + length;
        }

        Assert.Equal(png.Length, pos);
        Assert.Equal("IHDR", types[0]);
        Assert.Equal("IEND", types[^1]);

        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress))
        {
            z.CopyTo(inflated);
        }

        var raw = inflated.ToArray();
        Assert.Equal(8, depth);
        // Truecolour with alpha (6) or without (2), 8 bits a sample: what a PNG of a chart is.
        var bpp = colorType switch
        {
            6 => 4,
            2 => 3,
            _ => throw new InvalidDataException($"colour type {colorType} is not read by this test decoder"),
        };
        var stride = width * bpp;
        Assert.Equal(height * (stride + 1), raw.Length);
        var samples = new byte[height * stride];
        var filters = new byte[height];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            filters[y] = filter;
            for (var i = 0; i < stride; i++)
            {
                var x = raw[y * (stride + 1) + 1 + i];
                int a = i >= bpp ? samples[y * stride + i - bpp] : 0;
                int b = y > 0 ? samples[(y - 1) * stride + i] : 0;
                int c = i >= bpp && y > 0 ? samples[(y - 1) * stride + i - bpp] : 0;
                var predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"filter type {filter} on row {y}"),
                };
                samples[y * stride + i] = (byte)(x + predictor);
            }
        }

        var pixels = new byte[width * height * 4];
        for (var p = 0; p < width * height; p++)
        {
            for (var k = 0; k < 3; k++)
            {
                pixels[p * 4 + k] = samples[p * bpp + k];
            }

            pixels[p * 4 + 3] = bpp == 4 ? samples[p * bpp + 3] : (byte)255;
        }

        return new DecodedPng(width, height, depth, colorType, pixels, filters, types);
    }

    /// <summary>CRC-32 one bit at a time, straight from the PNG specification's definition.</summary>
    public static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return crc ^ 0xFFFFFFFFu;
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}

/// <summary>Entry points of the test PNG reader.</summary>
internal static class PngTestDecoder
{
    public static DecodedPng Decode(byte[] png) => DecodedPng.Decode(png);

    public static uint BitwiseCrc32(ReadOnlySpan<byte> data) => DecodedPng.BitwiseCrc32(data);
}
