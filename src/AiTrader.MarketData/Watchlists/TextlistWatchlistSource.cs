using AiTrader.Core.Watchlists;

namespace AiTrader.MarketData.Watchlists;

/// <summary><c>textlist</c>: tickers people wrote in chat, from the backends of TEXTLIST_BACKENDS (<c>discord</c>,
/// <c>signal</c>): cashtags and bare tickers parsed out of each message (<see cref="TickerExtractor"/>), most recent
/// message first. A backend with no credentials uses its offline sample (DISCORD_SAMPLE_SYMBOLS,
/// SIGNAL_SAMPLE_SYMBOLS) when one is set, tagged <c>discord-sample</c> / <c>signal-sample</c>.</summary>
/// <remarks>One failing backend is noted and the others still count; the source fails only when no backend gave a
/// ticker (as a rate limit when that was the reason).</remarks>
public sealed class TextlistWatchlistSource : IWatchlistSource
{
    /// <summary>The chat backends there are, each read by default (TEXTLIST_BACKENDS unset).</summary>
    public static readonly IReadOnlyList<string> Backends = ["discord", "signal"];

    private readonly IReadOnlyList<string> _backends;
    private readonly DiscordChannelReader? _discord;
    private readonly SignalReceiver? _signal;
    private readonly string? _discordSample;
    private readonly string? _signalSample;

    public TextlistWatchlistSource(IReadOnlyList<string> backends, DiscordChannelReader? discord, SignalReceiver? signal,
        string? discordSample, string? signalSample)
    {
        ArgumentNullException.ThrowIfNull(backends);
        foreach (var b in backends)
        {
            if (!Backends.Contains(b))
            {
                throw new ArgumentException($"TEXTLIST_BACKENDS names '{(b.Length <= 12 ? b : b[..12])}'; use discord and/or signal, comma separated.");
            }
        }

        _backends = backends;
        _discord = discord;
        _signal = signal;
        _discordSample = discordSample;
        _signalSample = signalSample;
    }

    public string Name => "textlist";

    public async Task<SourceAnswer> FetchAsync(CancellationToken cancellationToken = default)
    {
        var symbols = new List<SourcedSymbol>();
        var notes = new List<string>();
        var failures = new List<string>();
        var rateLimited = false;
        var malformed = false;
        foreach (var backend in _backends)
        {
            var (reader, sample) = backend == "discord"
                ? ((Func<CancellationToken, Task<(IReadOnlyList<ChatMessage>, IReadOnlyList<string>)>>?)(_discord is null ? null : _discord.ReadAsync), _discordSample)
                : (_signal is null ? null : _signal.ReadAsync, _signalSample);
            if (reader is null)
            {
                if (string.IsNullOrWhiteSpace(sample))
                {
                    failures.Add(backend == "discord"
                        ? "discord: DISCORD_BOT_TOKEN and DISCORD_CHANNEL_ID are not set (nor DISCORD_SAMPLE_SYMBOLS)"
                        : "signal: SIGNAL_CLI_URL and SIGNAL_NUMBER are not set (nor SIGNAL_SAMPLE_SYMBOLS)");
                    continue;
                }

                var found = TickerExtractor.Extract(sample.Replace(',', ' ').Replace(';', ' '));
                symbols.AddRange(found.Select(t => new SourcedSymbol(t, backend + "-sample")));
                notes.Add($"{backend}: offline sample ({found.Count} ticker(s) from {backend.ToUpperInvariant()}_SAMPLE_SYMBOLS)");
                continue;
            }

            try
            {
                var (messages, readNotes) = await reader(cancellationToken).ConfigureAwait(false);
                notes.AddRange(readNotes);
                var before = symbols.Count;
                // Newest first: when the cap cuts the list, the latest mentions stay.
                foreach (var message in messages.Reverse())
                {
                    symbols.AddRange(TickerExtractor.Extract(message.Text).Select(t => new SourcedSymbol(t, backend, Note: $"message {message.Id}")));
                }

                notes.Add($"{backend}: {messages.Count} message(s), {symbols.Count - before} ticker mention(s)");
            }
            catch (ChatBackendException ex)
            {
                rateLimited |= ex.RateLimited;
                malformed |= ex.Malformed;
                failures.Add(ex.Message);
            }
        }

        notes.AddRange(failures.Select(f => "passed over " + f));
        if (symbols.Count == 0)
        {
            var kind = rateLimited ? WatchlistSourceFailure.RateLimited
                : malformed ? WatchlistSourceFailure.Malformed
                : failures.Count == _backends.Count && failures.All(f => f.Contains("not set", StringComparison.Ordinal)) ? WatchlistSourceFailure.NotConfigured
                : failures.Count > 0 ? WatchlistSourceFailure.Failed
                : WatchlistSourceFailure.Empty;
            var why = failures.Count > 0 ? string.Join(" | ", failures) : "no ticker in the messages";
            throw new WatchlistSourceException(kind, $"textlist ({string.Join(",", _backends)}): {why}");
        }

        return new SourceAnswer(Name, symbols, notes);
    }
}
