using KeyAgentd.Cli;
using KeyAgentd.Core.AuthorizedKeys;

namespace KeyAgentd.Tests.Cli;

/// <summary>The streaming split gives the lines, and the parser's verdicts, that splitting the whole text gives.</summary>
public class LineReaderTests
{
    public static TheoryData<string> Texts => new()
    {
        "",
        "one",
        "one\n",
        "one\ntwo",
        "one\r\ntwo\r\n",
        "\n\n\n",
        "a\rb\nc",
        new string('x', 70_000) + "\nafter",
        "before\n" + new string('y', AuthorizedKeyLineParser.MaxLineLength) + "\r\nafter\n",
        "before\n" + new string('z', AuthorizedKeyLineParser.MaxLineLength + 1) + "\r\n",
        new string('w', 200_000),
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Lines_and_verdicts_match_the_whole_text_split(string text)
    {
        var whole = AuthorizedKeyLineParser.ParseAll(text);
        var streamed = LineReader.ReadLines(new StringReader(text)).Select((line, i) => AuthorizedKeyLineParser.Parse(line, i + 1)).ToList();

        Assert.Equal(whole.Count, streamed.Count);
        for (int i = 0; i < whole.Count; i++)
        {
            Assert.Equal(whole[i].Kind, streamed[i].Kind);
            Assert.Equal(whole[i].Error, streamed[i].Error);
            if (whole[i].Raw.Length <= AuthorizedKeyLineParser.MaxLineLength)
            {
                Assert.Equal(whole[i].Raw, streamed[i].Raw);
            }
        }
    }

    [Fact]
    public void An_endless_line_is_held_only_up_to_the_parser_limit()
    {
        string line = LineReader.ReadLines(new StringReader(new string('q', 1_000_000))).Single();
        Assert.Equal(AuthorizedKeyLineParser.MaxLineLength + 2, line.Length);
    }
}
