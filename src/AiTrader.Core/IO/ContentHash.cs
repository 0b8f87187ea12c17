using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace AiTrader.Core.IO;

/// <summary>A fast 64-bit, non-cryptographic hash of bytes: tells a file or a cached payload from a changed or torn
/// one. Four independent multiply-rotate lanes keep it near memory speed (several GB/s) without a package.</summary>
/// <remarks>Written by hand on purpose: System.IO.Hashing's XXH3 was tried for the bar cache and measured slower where
/// it counts, in a fresh process. Its vectorized loop is not precompiled (ReadyToRun), so it starts in the JIT's first
/// tier: hashing a 98 MB CSV took 110 ms against 31 ms for this one, whose plain loop is precompiled.</remarks>
public struct ContentHash
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong Prime3 = 0x165667B19E3779F9UL;

    private ulong _a = Prime1;
    private ulong _b = Prime2;
    private ulong _c = Prime3;
    private ulong _d = Prime1 ^ Prime2;
    private ulong _length;
    private readonly byte[] _tail = new byte[32];
    private int _tailCount;

    public ContentHash()
    {
    }

    /// <summary>The hash of <paramref name="data"/> in one call.</summary>
    public static ulong Of(ReadOnlySpan<byte> data)
    {
        var h = new ContentHash();
        h.Append(data);
        return h.Finish();
    }

    /// <summary>Adds bytes; the result does not depend on how the input is cut into calls.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        _length += (ulong)data.Length;
        if (_tailCount > 0)
        {
            var take = Math.Min(32 - _tailCount, data.Length);
            data[..take].CopyTo(_tail.AsSpan(_tailCount));
            _tailCount += take;
            data = data[take..];
            if (_tailCount < 32)
            {
                return;
            }

            Block(_tail);
            _tailCount = 0;
        }

        var blocks = data.Length / 32 * 32;
        if (blocks > 0)
        {
            var words = MemoryMarshal.Cast<byte, ulong>(data[..blocks]);
            ulong a = _a, b = _b, c = _c, d = _d;
            for (var i = 0; i < words.Length; i += 4)
            {
                a = Round(a, Word(words[i]));
                b = Round(b, Word(words[i + 1]));
                c = Round(c, Word(words[i + 2]));
                d = Round(d, Word(words[i + 3]));
            }

            (_a, _b, _c, _d) = (a, b, c, d);
        }

        data[blocks..].CopyTo(_tail);
        _tailCount = data.Length - blocks;
    }

    /// <summary>The hash of everything appended.</summary>
    public readonly ulong Finish()
    {
        var h = BitOperations.RotateLeft(_a, 1) + BitOperations.RotateLeft(_b, 7) + BitOperations.RotateLeft(_c, 12)
            + BitOperations.RotateLeft(_d, 18);
        h ^= _length * Prime3;
        for (var i = 0; i < _tailCount; i++)
        {
            h = BitOperations.RotateLeft(h ^ (_tail[i] * Prime2), 11) * Prime1;
        }

        h ^= h >> 33;
        h *= Prime2;
        h ^= h >> 29;
        h *= Prime3;
        h ^= h >> 32;
        return h;
    }

    private void Block(ReadOnlySpan<byte> block)
    {
        _a = Round(_a, BinaryPrimitives.ReadUInt64LittleEndian(block));
        _b = Round(_b, BinaryPrimitives.ReadUInt64LittleEndian(block[8..]));
        _c = Round(_c, BinaryPrimitives.ReadUInt64LittleEndian(block[16..]));
        _d = Round(_d, BinaryPrimitives.ReadUInt64LittleEndian(block[24..]));
    }

    private static ulong Word(ulong w) => BitConverter.IsLittleEndian ? w : BinaryPrimitives.ReverseEndianness(w);

    private static ulong Round(ulong lane, ulong input) => BitOperations.RotateLeft(lane + (input * Prime2), 31) * Prime1;
}
