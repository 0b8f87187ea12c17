using System.Globalization;
using System.Text.Json;
using AiTrader.Integration.Tests.Vendors.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AiTrader.Integration.Tests.Watchlists;

/// <summary>Discord REST fake: <c>GET /api/v10/channels/{id}/messages?limit&amp;after</c> with <c>Authorization: Bot</c>,
/// message objects as Discord sends them (snowflake string ids, ISO timestamps, newest first in a page), 429 with a
/// <c>retry_after</c> body and Retry-After header, 401/404 bodies, and switchable empty/malformed answers.</summary>
public sealed class FakeDiscord : FakeVendorServer
{
    private const long DiscordEpochMs = 1_420_070_400_000;

    public string Token { get; set; } = "DISCORD-TOKEN-SECRET";

    public string ChannelId { get; set; } = "81384788765712384";

    /// <summary>Messages in the channel (any order); ids are derived from the send time like real snowflakes.</summary>
    public List<(ulong Id, DateTime SentUtc, string Content)> Messages { get; } = [];

    /// <summary>How many 429s to send first (each with <see cref="RetryAfterSeconds"/>).</summary>
    public int RateLimits { get; set; }

    public double RetryAfterSeconds { get; set; } = 0.05;

    /// <summary>Base URL a client should use (the API root, as DISCORD_BASE_URL).</summary>
    public Uri ApiBase => new(BaseUrl, "api/v10");

    public static ulong Snowflake(DateTime utc, int sequence) =>
        ((ulong)(new DateTimeOffset(utc).ToUnixTimeMilliseconds() - DiscordEpochMs) << 22) | (uint)sequence;

    public void Add(DateTime sentUtc, string content) => Messages.Add((Snowflake(sentUtc, Messages.Count % 4096), sentUtc, content));

    protected override void Map(WebApplication app)
    {
        app.MapGet("/api/v10/channels/{channel}/messages", async (HttpContext ctx, string channel) =>
        {
            if (ctx.Request.Headers.Authorization.ToString() != "Bot " + Token)
            {
                await WriteJsonAsync(ctx, "{\"message\": \"401: Unauthorized\", \"code\": 0}", 401);
                return;
            }

            if (channel != ChannelId)
            {
                await WriteJsonAsync(ctx, "{\"message\": \"Unknown Channel\", \"code\": 10003}", 404);
                return;
            }

            if (RateLimits > 0)
            {
                RateLimits--;
                ctx.Response.Headers.RetryAfter = Math.Ceiling(RetryAfterSeconds).ToString(CultureInfo.InvariantCulture);
                ctx.Response.Headers["X-RateLimit-Scope"] = "user";
                await WriteJsonAsync(ctx, string.Create(CultureInfo.InvariantCulture,
                    $"{{\"message\": \"You are being rate limited.\", \"retry_after\": {RetryAfterSeconds}, \"global\": false}}"), 429);
                return;
            }

            var limit = int.TryParse(ctx.Request.Query["limit"], out var l) ? Math.Clamp(l, 1, 100) : 50;
            var after = ulong.TryParse(ctx.Request.Query["after"], out var a) ? a : 0;
            // Discord returns the messages just after `after`, newest first within the page.
            var page = Messages.Where(m => m.Id > after).OrderBy(m => m.Id).Take(limit).OrderByDescending(m => m.Id)
                .Select(m => new Dictionary<string, object?>
                {
                    ["id"] = m.Id.ToString(CultureInfo.InvariantCulture),
                    ["type"] = 0,
                    ["content"] = m.Content,
                    ["channel_id"] = ChannelId,
                    ["author"] = new Dictionary<string, object?> { ["id"] = "80351110224678912", ["username"] = "trader", ["discriminator"] = "0", ["global_name"] = "Trader", ["avatar"] = null },
                    ["attachments"] = Array.Empty<object>(),
                    ["embeds"] = Array.Empty<object>(),
                    ["mentions"] = Array.Empty<object>(),
                    ["mention_roles"] = Array.Empty<object>(),
                    ["pinned"] = false,
                    ["mention_everyone"] = false,
                    ["tts"] = false,
                    ["timestamp"] = new DateTimeOffset(m.SentUtc).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff+00:00", CultureInfo.InvariantCulture),
                    ["edited_timestamp"] = null,
                    ["flags"] = 0,
                    ["components"] = Array.Empty<object>(),
                }).ToList();
            var body = JsonSerializer.Serialize(page);
            var failure = CurrentFailure();
            if (failure == FakeMode.Empty)
            {
                await WriteJsonAsync(ctx, "[]");
                return;
            }

            if (!await TryWriteGenericFailureAsync(ctx, failure, body.Length > 2 ? body : "[{\"id\":\"1\",\"content\":\"x\"}]",
                "{\"message\": \"You are being rate limited.\", \"retry_after\": 64.57, \"global\": false}"))
            {
                await WriteJsonAsync(ctx, BodyOverride ?? body);
            }
        });
    }
}
