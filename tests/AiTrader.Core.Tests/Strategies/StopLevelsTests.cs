using AiTrader.Core.Strategies;

namespace AiTrader.Core.Tests.Strategies;

/// <summary>The double pre-check the strategies use to skip the exact stop level: it may only say "cannot move the
/// stop" when the exact decimal level indeed does not move it.</summary>
public sealed class StopLevelsTests
{
    [Fact]
    public void Cannot_beat_is_never_wrong_about_the_exact_decimal_level()
    {
        var random = new Random(12);
        var skipped = 0;
        for (var i = 0; i < 200_000; i++)
        {
            var close = Math.Round((decimal)(random.NextDouble() * 500 + 0.5), random.Next(2, 5));
            var atr = random.NextDouble() * 3;
            var multiplier = new[] { 1m, 2.5m, 3m, 0.7m }[random.Next(4)];
            // Working stops within a few ticks of the trailed level, where rounding decides.
            var exactLong = StopLevels.RoundPrice(close - multiplier * (decimal)atr);
            var exactShort = StopLevels.RoundPrice(close + multiplier * (decimal)atr);
            var offset = random.Next(-30, 31) * 0.00005m;

            var longStop = exactLong + offset;
            if (StopLevels.CannotBeat((double)close - (double)multiplier * atr, longStop, above: true))
            {
                skipped++;
                Assert.True(exactLong <= longStop, $"long: {exactLong} would beat {longStop} (close {close}, atr {atr:R}, k {multiplier})");
            }

            var shortStop = exactShort + offset;
            if (StopLevels.CannotBeat((double)close + (double)multiplier * atr, shortStop, above: false))
            {
                skipped++;
                Assert.True(exactShort >= shortStop, $"short: {exactShort} would beat {shortStop} (close {close}, atr {atr:R}, k {multiplier})");
            }
        }

        // And it does its job: most stops well away from the level are decided without the decimal work.
        Assert.InRange(skipped, 100_000, 400_000);
    }

    [Theory]
    [InlineData(100.00, 99.0, true, true)] // a long's trail at 99.00 cannot pass a stop at 100
    [InlineData(100.00, 99.9999, true, false)] // within the margin: decided exactly
    [InlineData(100.00, 101.0, false, true)] // a short's trail at 101 cannot pass a stop at 100
    [InlineData(100.00, 100.00005, false, false)]
    public void Cannot_beat_leaves_close_calls_to_the_exact_path(double stop, double estimate, bool above, bool expected) =>
        Assert.Equal(expected, StopLevels.CannotBeat(estimate, (decimal)stop, above));
}
