using KeyAgentd.Core.Source;

namespace KeyAgentd.Core.Tests.Source;

public sealed class KeysFileParserTests
{
    private static readonly string Key = SshKeygen.Generate("ed25519", comment: "alice@laptop");

    [Theory]
    [InlineData("ssh-ed25519 AAAA alice # label=laptop", "ssh-ed25519 AAAA alice", "label=laptop")]
    [InlineData("ssh-ed25519 AAAA alice\t# label=\"work laptop\" not_after=2027-01-01", "ssh-ed25519 AAAA alice", "label=\"work laptop\" not_after=2027-01-01")]
    [InlineData("ssh-ed25519 AAAA laptop #2", "ssh-ed25519 AAAA laptop #2", null)]
    [InlineData("ssh-ed25519 AAAA laptop #2 # label=x", "ssh-ed25519 AAAA laptop #2", "label=x")]
    [InlineData("ssh-ed25519 AAAA a#b=c", "ssh-ed25519 AAAA a#b=c", null)]
    public void Attributes_are_the_last_blank_hash_of_name_value_tokens(string line, string body, string? attributes)
    {
        Assert.Equal((body, attributes), KeysFileParser.SplitAttributes(line));
    }

    [Fact]
    public void Labels_and_dates_are_read_and_lines_numbered()
    {
        var problems = new List<SourceProblem>();
        var keys = KeysFileParser.Parse("people/a.keys", $"# alice\n\n{Key} # label=\"work laptop\" not_after=2027-06-01\n", problems);
        Assert.Empty(problems);
        var key = Assert.Single(keys);
        Assert.Equal((Key, "work laptop", new DateTimeOffset(2027, 6, 2, 0, 0, 0, TimeSpan.Zero), 3), (key.Line, key.Label, key.NotAfter!.Value, key.Location.Line));
        Assert.NotNull(key.Key);
    }

    [Fact]
    public void A_private_key_is_one_entry_and_the_key_after_it_is_read()
    {
        var problems = new List<SourceProblem>();
        string text = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n" + Key + "\n";
        var keys = KeysFileParser.Parse("people/a.keys", text, problems);
        Assert.Equal([1, 4], keys.Select(k => k.Location.Line));
        Assert.Null(keys[0].Key);
        Assert.NotNull(keys[1].Key);
    }

    [Theory]
    [InlineData("2027-06-01", "2027-06-02T00:00:00+00:00")]
    [InlineData("2027-06-01T12:30:00Z", "2027-06-01T12:30:00+00:00")]
    [InlineData("2027-06-01T12:30:00+02:00", "2027-06-01T10:30:00+00:00")]
    public void Dates_are_a_day_through_its_end_or_a_timestamp_with_offset(string text, string expected)
    {
        Assert.True(SourceDates.TryParse(text, out var value));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("2027-06-01T12:30:00")]
    [InlineData("01/06/2027")]
    [InlineData("tomorrow")]
    public void A_timestamp_without_offset_or_another_format_is_refused(string text)
    {
        Assert.False(SourceDates.TryParse(text, out _));
    }
}
