using System.Text.Json.Nodes;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using AiTrader.Storage;
using CsCheck;
using static AiTrader.Integration.Tests.Vendors.VendorTestKit;

namespace AiTrader.Integration.Tests.Vendors;

/// <summary>Property tests over each vendor parser (issue 11): recorded real-shape answers, mutated (truncated, values
/// swapped for hostile ones of every JSON type, huge and tiny numbers, odd time zones, keys removed), served by the
/// loopback fakes. Every answer either yields bars the cache can store, or a one-line <see cref="VendorException"/>;
/// never any other exception. Seeded and bounded so CI stays fast; a failing seed is printed by CsCheck (add the
/// shrunk payload to Vendors/Corpus).</summary>
public sealed class VendorParserFuzzTests
{
    /// <summary>Cases per vendor: about a second each on loopback.</summary>
    private const long Iterations = 150;

    private static readonly string[] Hostile =
    [
        "null", "[]", "{}", "\"\"", "\"x\"", "0", "-1", "1e308", "-1e308", "1e-30", "79228162514264337593543950336",
        "\"1e400\"", "\"NaN\"", "true", "[null]", "[[1,2]]", "{\"a\":null}", "\"../../../../etc/localtime\"",
        "\"Mars/Olympus_Mons\"", "5", "\"2013-13-45 25:61:00\"", "99999999999999999999", "\"-0.0\"",
        "1.00000000000000000001", "322.53500010000005", "\"US/Eastern\"", "\"UTC\"", "-2147483649", "1381152600.5",
    ];

    /// <summary>(operation, which node or position, which hostile value) → a mutated document.</summary>
    private static readonly Gen<(int Op, int Pick, int Value)> Mutation = Gen.Select(Gen.Int[0, 9], Gen.Int[0, 100_000], Gen.Int[0, Hostile.Length - 1]);

    internal static string Mutate(string json, (int Op, int Pick, int Value) m)
    {
        if (m.Op == 0)
        {
            return json[..(m.Pick % (json.Length + 1))]; // truncated anywhere
        }

        var root = JsonNode.Parse(json)!;
        var slots = new List<(JsonNode Parent, object Key)>();
        Collect(root, slots);
        if (slots.Count == 0)
        {
            return json;
        }

        var (parent, key) = slots[m.Pick % slots.Count];
        JsonNode? Replacement() => JsonNode.Parse(Hostile[m.Value]);
        switch (m.Op)
        {
            case 1 or 2 or 3 or 4 or 5:
                Set(parent, key, Replacement());
                break;
            case 6 when parent is JsonObject obj:
                obj.Remove((string)key);
                break;
            case 7:
                var current = Get(parent, key);
                Set(parent, key, new JsonArray(current?.DeepClone(), current?.DeepClone()));
                break;
            case 8:
                var text = root.ToJsonString();
                var at = m.Pick % (text.Length + 1);
                return text[..at] + "\u0000\"}]"[m.Value % 4] + text[at..];
            default:
                if (Get(parent, key) is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number)
                {
                    Set(parent, key, JsonNode.Parse(m.Value % 2 == 0 ? "1e27" : "0.00000000000000000000000001"));
                }
                else
                {
                    Set(parent, key, Replacement());
                }

                break;
        }

        return root.ToJsonString();
    }

    private static void Collect(JsonNode node, List<(JsonNode, object)> slots)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var p in obj.ToList())
                {
                    slots.Add((obj, p.Key));
                    if (p.Value is { } child)
                    {
                        Collect(child, slots);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    slots.Add((array, i));
                    if (array[i] is { } child)
                    {
                        Collect(child, slots);
                    }
                }

                break;
        }
    }

    private static JsonNode? Get(JsonNode parent, object key) => parent is JsonObject o ? o[(string)key] : ((JsonArray)parent)[(int)key];

    private static void Set(JsonNode parent, object key, JsonNode? value)
    {
        if (parent is JsonObject o)
        {
            o[(string)key] = value;
        }
        else
        {
            ((JsonArray)parent)[(int)key] = value;
        }
    }

    /// <summary>What every answer must satisfy: storable bars in range on the tick, or a typed one-line error.</summary>
    internal static async Task AssertValidOrTypedAsync(Func<Task<VendorBars>> fetch, VendorBarRequest request)
    {
        VendorBars result;
        try
        {
            result = await fetch();
        }
        catch (VendorException ex)
        {
            Assert.DoesNotContain('\n', ex.Message);
            return;
        }

        var previous = DateTime.MinValue;
        foreach (var bar in result.Bars)
        {
            Assert.Equal(DateTimeKind.Utc, bar.Timestamp.Kind);
            Assert.InRange(bar.Timestamp, request.StartUtc, request.EndUtc);
            Assert.True(bar.Timestamp > previous, "bars are not strictly increasing");
            Assert.True(BarNormalizer.IsSane(bar), $"insane bar {bar}");
            Assert.Equal(BarNormalizer.ToTick(bar.Close), bar.Close);
            previous = bar.Timestamp;
        }

        // The cache must be able to store whatever a client returns.
        await ParquetBarFile.SerializeAsync(result.Bars);
    }

    private static VendorBarRequest Daily(PriceAdjustment adjustment) =>
        new("SPY", Timeframe.OneDay, Utc(2013, 10, 7), Utc(2013, 10, 9, 23), adjustment);

    private static readonly VendorBarRequest FiveMinutes = new("SPY", Timeframe.FiveMinutes, Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 7, 20), PriceAdjustment.Raw);

    [Fact]
    public async Task Alpaca_pages_mutated_never_throw_anything_but_a_vendor_exception()
    {
        await using var fake = await StartAsync<FakeAlpaca>();
        var client = Client(fake);
        var page1 = RecordedPayloads.Read("alpaca-bars-page1.json");
        var page2 = RecordedPayloads.Read("alpaca-bars-page2.json");
        await Mutation.SampleAsync(async m =>
        {
            var body = Mutate(page1, m);
            fake.PageBody = token => token.Length == 0 ? body : page2;
            await AssertValidOrTypedAsync(() => client.GetBarsAsync(Daily(PriceAdjustment.Raw)), Daily(PriceAdjustment.Raw));
        }, seed: "0N0XIzNsQ0O2", iter: Iterations, threads: 1);
    }

    [Theory]
    [InlineData("alphavantage-daily-adjusted.json", "0N0XIzNsQ0O3")]
    [InlineData("alphavantage-intraday-5min.json", "0N0XIzNsQ0O4")]
    public async Task Alpha_vantage_series_mutated_never_throw_anything_but_a_vendor_exception(string recorded, string seed)
    {
        await using var fake = await StartAsync<FakeAlphaVantage>();
        var client = Client(fake);
        var body = RecordedPayloads.Read(recorded);
        var request = recorded.Contains("intraday", StringComparison.Ordinal) ? FiveMinutes : Daily(PriceAdjustment.Split);
        await Mutation.SampleAsync(async m =>
        {
            fake.BodyOverride = Mutate(body, m);
            await AssertValidOrTypedAsync(() => client.GetBarsAsync(request), request);
        }, seed: seed, iter: Iterations, threads: 1);
    }

    [Fact]
    public async Task Yahoo_chart_mutated_never_throws_anything_but_a_vendor_exception()
    {
        await using var fake = await StartAsync<FakeYahoo>();
        var client = Client(fake);
        var body = RecordedPayloads.Read("yahoo-chart-daily.json");
        await Mutation.SampleAsync(async m =>
        {
            fake.BodyOverride = Mutate(body, m);
            await AssertValidOrTypedAsync(() => client.GetBarsAsync(Daily(PriceAdjustment.Split)), Daily(PriceAdjustment.Split));
        }, seed: "0N0XIzNsQ0O5", iter: Iterations, threads: 1);
    }

    [Fact]
    public async Task Twelve_data_series_mutated_never_throws_anything_but_a_vendor_exception()
    {
        await using var fake = await StartAsync<FakeTwelveData>();
        var client = Client(fake);
        var body = RecordedPayloads.Read("twelvedata-time-series-5min.json");
        await Mutation.SampleAsync(async m =>
        {
            fake.BodyOverride = Mutate(body, m);
            await AssertValidOrTypedAsync(() => client.GetBarsAsync(FiveMinutes), FiveMinutes);
        }, seed: "0N0XIzNsQ0O6", iter: Iterations, threads: 1);
    }

    public static TheoryData<string> Corpus() =>
        [.. Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Vendors", "Corpus"), "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(AppContext.BaseDirectory, "Vendors", "Corpus"), f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    /// <summary>The hostile answers of issue 11 (and any the fuzzers shrink to), kept as regression inputs: each is a
    /// MalformedResponse, asked once, never another exception.</summary>
    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Corpus_answer_is_a_malformed_response(string file)
    {
        var body = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vendors", "Corpus", file));
        var vendor = file.Split('/')[0];
        FakeVendorServer fake;
        Func<Task<VendorBars>> fetch;
        switch (vendor)
        {
            case "alpaca":
                var alpaca = await StartAsync<FakeAlpaca>();
                alpaca.PageBody = _ => body;
                fake = alpaca;
                fetch = () => Client(alpaca).GetBarsAsync(Daily(PriceAdjustment.Raw));
                break;
            case "alphavantage-daily" or "alphavantage-intraday":
                var av = await StartAsync<FakeAlphaVantage>();
                av.BodyOverride = body;
                fake = av;
                fetch = () => Client(av).GetBarsAsync(vendor.EndsWith("daily", StringComparison.Ordinal) ? Daily(PriceAdjustment.Split) : FiveMinutes);
                break;
            case "yahoo":
                var yahoo = await StartAsync<FakeYahoo>();
                yahoo.BodyOverride = body;
                fake = yahoo;
                fetch = () => Client(yahoo).GetBarsAsync(Daily(PriceAdjustment.Split));
                break;
            default:
                var td = await StartAsync<FakeTwelveData>();
                td.BodyOverride = body;
                fake = td;
                fetch = () => Client(td).GetBarsAsync(FiveMinutes);
                break;
        }

        await using (fake)
        {
            var ex = await Assert.ThrowsAsync<VendorException>(fetch);
            Assert.True(ex.Kind == VendorErrorKind.MalformedResponse, $"{file}: {ex.Kind} {ex.Message}");
            Assert.Equal(1, fake.RequestCount);
        }
    }
}
