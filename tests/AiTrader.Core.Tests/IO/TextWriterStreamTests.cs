using System.Text;
using AiTrader.Core.IO;

namespace AiTrader.Core.Tests.IO;

public sealed class TextWriterStreamTests
{
    [Fact]
    public void Text_written_a_byte_at_a_time_arrives_whole_including_characters_split_across_writes()
    {
        const string text = "regime_reason,prob_up 0.85 ≥ 0.80 → TrendingUp,€,𝄞\n";
        var bytes = Encoding.UTF8.GetBytes(text);
        var target = new StringWriter();
        using (var stream = new TextWriterStream(target))
        {
            foreach (var b in bytes)
            {
                stream.Write([b]);
            }
        }

        Assert.Equal(text, target.ToString());
    }

    [Fact]
    public void Text_reaches_the_writer_as_it_is_written_not_at_the_end()
    {
        var target = new StringWriter();
        using var stream = new TextWriterStream(target);
        stream.Write(Encoding.UTF8.GetBytes("first row\n"));
        Assert.Equal("first row\n", target.ToString());
        var big = new string('x', 20_000);
        stream.Write(Encoding.UTF8.GetBytes(big));
        Assert.Equal("first row\n" + big, target.ToString());
    }

    [Fact]
    public void A_character_cut_off_at_the_end_is_an_error_not_silently_dropped()
    {
        var target = new StringWriter();
        var stream = new TextWriterStream(target);
        stream.Write(Encoding.UTF8.GetBytes("≥").AsSpan(0, 2));
        Assert.Throws<DecoderFallbackException>(stream.Dispose);
    }
}
