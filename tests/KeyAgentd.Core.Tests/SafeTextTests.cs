namespace KeyAgentd.Core.Tests;

public class SafeTextTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\nb", "a\\nb")]
    [InlineData("a\r\n\tb", "a\\r\\n\\tb")]
    [InlineData("\u001b[2J", "\\x1b[2J")]
    [InlineData("x\u0085y\u2028z", "x\\x85y\\u2028z")]
    [InlineData("é and ✓", "é and ✓")]
    public void Control_characters_are_escaped(string input, string expected) => Assert.Equal(expected, SafeText.Escape(input));

    [Fact]
    public void Long_text_is_cut_with_an_ellipsis_within_the_limit()
    {
        string cut = SafeText.Escape(new string('a', 300), 200);
        Assert.Equal(200, cut.Length);
        Assert.EndsWith("…", cut);
    }

    [Fact]
    public void Text_exactly_at_the_limit_is_not_cut() => Assert.Equal(new string('a', 200), SafeText.Escape(new string('a', 200), 200));
}
