using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace AiTrader.MarketData.Watchlists;

/// <summary>Discord settings: DISCORD_BOT_TOKEN, DISCORD_CHANNEL_ID, DISCORD_BASE_URL (default the v10 REST API),
/// DISCORD_LOOKBACK_HOURS (default 24).</summary>
/// <param name="PageLimit">Messages per request (Discord allows 1-100).</param>
/// <param name="MaxPages">Pages read at most per run: a bound on a busy channel.</param>
/// <param name="MaxRetryAfter">A 429 asking to wait longer than this is not waited out: the source fails over.</param>
/// <param name="MaxRateLimitRetries">429s waited out per run at most.</param>
public sealed record DiscordOptions(
    Uri BaseUrl,
    string? BotToken,
    string? ChannelId,
    TimeSpan Lookback,
    int PageLimit = 100,
    int MaxPages = DiscordOptions.DefaultMaxPages,
    TimeSpan? MaxRetryAfter = null,
    int MaxRateLimitRetries = 3,
    TimeSpan? AttemptTimeout = null)
{
    public static readonly Uri DefaultBaseUrl = new("https://discord.com/api/v10");

    /// <summary>Hours of messages read when DISCORD_LOOKBACK_HOURS is unset, and the most it takes (30 days).</summary>
    public const double DefaultLookbackHours = 24, MostLookbackHours = 720;

    /// <summary>Pages read at most when DISCORD_MAX_PAGES is unset, and the most it takes.</summary>
    public const int DefaultMaxPages = 20, MostPages = 1000;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(BotToken) && !string.IsNullOrWhiteSpace(ChannelId);
}

/// <summary>Reads a Discord channel's recent messages with a bot token through the REST API's channel-messages
/// endpoint (<c>GET /channels/{id}/messages?limit=100&amp;after={snowflake}</c>), paging forward with <c>after</c>.</summary>
/// <remarks>The first <c>after</c> is the snowflake of now − lookback (Discord ids carry their creation time), each next
/// one the highest id of the page, so the order Discord returns a page in does not matter. A 429 is waited out for its
/// <c>retry_after</c> seconds (body, or the Retry-After header) when that is short, at most
/// <see cref="DiscordOptions.MaxRateLimitRetries"/> times; otherwise it is reported as a rate limit.</remarks>
public sealed class DiscordChannelReader(HttpClient http, DiscordOptions options, TimeProvider? clock = null)
{
    private const long DiscordEpochMs = 1_420_070_400_000;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The messages of the lookback window, oldest first, plus notes (e.g. that the page cap was reached).</summary>
    public async Task<(IReadOnlyList<ChatMessage> Messages, IReadOnlyList<string> Notes)> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (!options.IsConfigured)
        {
            throw new InvalidOperationException("Discord is not configured (DISCORD_BOT_TOKEN and DISCORD_CHANNEL_ID).");
        }

        var since = _clock.GetUtcNow() - options.Lookback;
        var after = (ulong)Math.Max(0, since.ToUnixTimeMilliseconds() - DiscordEpochMs) << 22;
        var byId = new SortedDictionary<ulong, ChatMessage>();
        var notes = new List<string>();
        var retries = 0;
        for (var page = 0; ; page++)
        {
            if (page == options.MaxPages)
            {
                notes.Add($"discord: stopped after {options.MaxPages} pages of {options.PageLimit} (raise DISCORD_MAX_PAGES or shorten DISCORD_LOOKBACK_HOURS)");
                break;
            }

            var uri = new Uri($"{options.BaseUrl.AbsoluteUri.TrimEnd('/')}/channels/{Uri.EscapeDataString(options.ChannelId!)}/messages?limit={options.PageLimit}&after={after}");
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bot", options.BotToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.AttemptTimeout ?? TimeSpan.FromSeconds(30));
            string body;
            int status;
            TimeSpan? headerWait;
            try
            {
                using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                status = (int)response.StatusCode;
                headerWait = response.Headers.RetryAfter?.Delta;
                body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ChatBackendException(false, false, $"discord: no answer from {uri.Host} in time; fix: retry later");
            }
            catch (HttpRequestException ex)
            {
                throw new ChatBackendException(false, false, $"discord: cannot reach {uri.Host}:{uri.Port} ({ex.HttpRequestError}); fix: check DISCORD_BASE_URL and the network");
            }

            if (status == 429)
            {
                var wait = RetryAfter(body) ?? headerWait ?? TimeSpan.FromSeconds(1);
                if (retries < options.MaxRateLimitRetries && wait <= (options.MaxRetryAfter ?? TimeSpan.FromSeconds(10)))
                {
                    retries++;
                    await Task.Delay(wait, _clock, cancellationToken).ConfigureAwait(false);
                    page--;
                    continue;
                }

                throw new ChatBackendException(true, false,
                    string.Create(CultureInfo.InvariantCulture, $"discord: rate limited (HTTP 429, retry_after {wait.TotalSeconds:0.###}s, {retries} wait(s) used); fix: try again later"));
            }

            if (status is 401 or 403)
            {
                throw new ChatBackendException(false, false, $"discord: HTTP {status} {ChatErrorText.Quote(body, "message")}; fix: check DISCORD_BOT_TOKEN and that the bot can read the channel");
            }

            if (status == 404)
            {
                throw new ChatBackendException(false, false, $"discord: HTTP 404 {ChatErrorText.Quote(body, "message")}; fix: check DISCORD_CHANNEL_ID");
            }

            if (status is < 200 or >= 300)
            {
                throw new ChatBackendException(false, false, $"discord: HTTP {status} {ChatErrorText.Quote(body, "message")}; fix: retry later");
            }

            var messages = Parse(body);
            foreach (var m in messages)
            {
                byId[ulong.Parse(m.Id, CultureInfo.InvariantCulture)] = m;
            }

            if (messages.Count < options.PageLimit)
            {
                break;
            }

            var highest = messages.Max(m => ulong.Parse(m.Id, CultureInfo.InvariantCulture));
            if (highest <= after)
            {
                throw new ChatBackendException(false, true, "discord: a page did not move past its 'after' id; fix: report the paging fault");
            }

            after = highest;
        }

        return (byId.Values.ToList(), notes);
    }

    private static List<ChatMessage> Parse(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new ChatBackendException(false, true, $"discord: expected a JSON array of messages, got {doc.RootElement.ValueKind}; fix: check DISCORD_BASE_URL");
            }

            var result = new List<ChatMessage>();
            foreach (var m in doc.RootElement.EnumerateArray())
            {
                if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
                    || !ulong.TryParse(id.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    throw new ChatBackendException(false, true, "discord: a message has no snowflake 'id'; fix: check DISCORD_BASE_URL");
                }

                var content = m.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() ?? "" : "";
                var sent = m.TryGetProperty("timestamp", out var t) && t.ValueKind == JsonValueKind.String
                    && DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dto)
                    ? dto.UtcDateTime
                    : default;
                result.Add(new ChatMessage(id.GetString()!, DateTime.SpecifyKind(sent, DateTimeKind.Utc), content));
            }

            return result;
        }
        catch (JsonException ex)
        {
            throw new ChatBackendException(false, true, $"discord: invalid JSON ({ex.Message.ReplaceLineEndings(" ")}); fix: retry later", ex);
        }
    }

    private static TimeSpan? RetryAfter(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("retry_after", out var r)
                && r.TryGetDouble(out var seconds) && seconds >= 0 && seconds < 86_400
                ? TimeSpan.FromSeconds(seconds)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
