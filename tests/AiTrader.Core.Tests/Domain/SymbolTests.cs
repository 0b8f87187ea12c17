using AiTrader.Core.Domain;

namespace AiTrader.Core.Tests.Domain;

public class SymbolTests
{
    [Theory]
    [InlineData("AAPL", "AAPL")]
    [InlineData(" spy ", "SPY")]
    [InlineData("BRK.B", "BRK.B")]
    [InlineData("BRK/B", "BRK.B")]
    [InlineData("brk-b", "BRK.B")]
    [InlineData("GOOAV", "GOOAV")]
    public void Class_separators_normalize_to_one_form(string text, string expected)
    {
        Assert.Equal(expected, new Symbol(text).Value);
        Assert.True(Symbol.TryParse(text, out var parsed, out _));
        Assert.Equal(new Symbol(expected), parsed);
    }

    [Theory]
    [InlineData("SPY/../AAPL")]
    [InlineData("../../../../UP/EVIL")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("/etc")]
    [InlineData("SPY/")]
    [InlineData("A B")]
    [InlineData("SPY\\AAPL")]
    [InlineData("SPY\0")]
    [InlineData("BRK.B.C")]
    [InlineData("ABCDEFGHIJK")]
    [InlineData("BRK.ABCDEF")]
    [InlineData("")]
    [InlineData("   ")]
    public void Anything_but_a_ticker_is_refused_with_one_line(string text)
    {
        Assert.False(Symbol.TryParse(text, out _, out var error));
        Assert.DoesNotContain('\n', error);
        Assert.DoesNotContain('\0', error);
        var ex = Assert.Throws<ArgumentException>(() => new Symbol(text));
        Assert.StartsWith(error, ex.Message);
    }

    [Fact]
    public void A_long_rejected_input_is_shown_shortened()
    {
        Assert.False(Symbol.TryParse(new string('X', 200) + "/", out _, out var error));
        Assert.True(error.Length < 200, error);
    }
}
