using System.Buffers;
using System.Net.WebSockets;

namespace AiTrader.MarketData.Streaming;

/// <summary>A WebSocket message that passed the size limit; the rest of it was not read, so the connection must be dropped.</summary>
public sealed class WebSocketMessageTooLargeException(int limit)
    : IOException($"a WebSocket message exceeds {limit} bytes")
{
    /// <summary>The limit that was passed, in bytes.</summary>
    public int Limit { get; } = limit;
}

/// <summary>Reads whole WebSocket messages (text or binary frames alike) into a buffer that never grows past a limit.</summary>
/// <remarks>A server can send one message as endless fragments; buffering until <c>EndOfMessage</c> would grow without
/// bound (a live run once reached 4 GB and died of <see cref="OutOfMemoryException"/>). Every stream reader in the
/// platform (the market-data stream, the trade_updates stream) should read through this type.</remarks>
public sealed class BoundedWebSocketReader
{
    /// <summary>1 MiB: a batched Alpaca data frame is a few KiB; a full trade_updates order is under 2 KiB.</summary>
    public const int DefaultMaxMessageBytes = 1 << 20;

    private const int ChunkBytes = 16 * 1024;
    private readonly ArrayBufferWriter<byte> _buffer = new(ChunkBytes);

    public BoundedWebSocketReader(int maxMessageBytes = DefaultMaxMessageBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageBytes, 1);
        MaxMessageBytes = maxMessageBytes;
    }

    public int MaxMessageBytes { get; }

    /// <summary>The next whole message (valid until the next call), or null when the peer closed the connection.</summary>
    /// <exception cref="WebSocketMessageTooLargeException">The message passed <see cref="MaxMessageBytes"/>.</exception>
    public async Task<ReadOnlyMemory<byte>?> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        _buffer.ResetWrittenCount();
        while (true)
        {
            // Never ask for more than the limit allows (+1 byte to notice passing it).
            var room = Math.Min(ChunkBytes, MaxMessageBytes + 1 - _buffer.WrittenCount);
            var result = await socket.ReceiveAsync(_buffer.GetMemory(room)[..room], cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            _buffer.Advance(result.Count);
            if (_buffer.WrittenCount > MaxMessageBytes)
            {
                throw new WebSocketMessageTooLargeException(MaxMessageBytes);
            }

            if (result.EndOfMessage)
            {
                return _buffer.WrittenMemory;
            }
        }
    }
}
