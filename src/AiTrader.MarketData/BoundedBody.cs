using System.Text;

namespace AiTrader.MarketData;

/// <summary>Reads an HTTP answer's body with a ceiling: what every client of an outside server (the vendors, the broker)
/// uses, so an endless or huge body costs at most the ceiling in memory.</summary>
public static class BoundedBody
{
    /// <summary>The body as UTF-8 text, or null when it declares or reaches more than <paramref name="max"/> bytes (the
    /// rest is never read).</summary>
    public static async Task<string?> ReadAsync(HttpResponseMessage response, long max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Content.Headers.ContentLength is long declared && declared > max)
        {
            return null;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            }

            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }
    }
}
