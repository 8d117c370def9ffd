using System.Text;
using KeyAgentd.Core.AuthorizedKeys;

namespace KeyAgentd.Core.Tests.AuthorizedKeys;

/// <summary>The login helper reads the cache as UTF-8 bytes: the byte paths must agree with the text ones.</summary>
public class ByteGrammarTests
{
    private static readonly string[] Pieces =
    [
        " ", "\t", "  ", "#", "\"", "\\\"", "\\", ",", "=", "ssh-ed25519", "ssh-rsa", "rsa-sha2-256", "ecdsa-sha2-nistp256",
        "sk-ssh-ed25519@openssh.com", "AAAAC3NzaC1lZDI1NTE5AAAAI", "AAAA", "from=\"10.0.0.0/8\"", "no-pty", "restrict",
        "expiry-time=\"20991231000000Z\"", "command=\"echo a b\"", "comment", "é", "ü x", "\u2603", "Ssh-Ed25519", "x",
    ];

    [Fact]
    public void Byte_splitter_agrees_with_the_char_one_on_generated_lines()
    {
        var random = new Random(15);
        for (int n = 0; n < 20_000; n++)
        {
            var line = new StringBuilder();
            int count = random.Next(0, 9);
            for (int k = 0; k < count; k++)
            {
                line.Append(Pieces[random.Next(Pieces.Length)]);
            }
            AssertAgree(line.ToString());
        }
    }

    [Fact]
    public void Options_field_ends_where_sshkey_advance_past_options_ends_it()
    {
        // The splitter jumps from quote to quote; OpenSSH walks character by character. Same end.
        var random = new Random(30);
        for (int n = 0; n < 20_000; n++)
        {
            var line = new StringBuilder("x");
            int count = random.Next(0, 9);
            for (int k = 0; k < count; k++)
            {
                line.Append(Pieces[random.Next(Pieces.Length)]);
            }
            line.Append(" ssh-ed25519 AAAA c");
            string text = line.ToString();
            int end = AdvancePastOptions(text);
            if (AuthorizedKeyLineParser.TrySplit(text.AsSpan(), out var options, out _, out _))
            {
                Assert.True(end == options.End.Value, text);
            }
            else
            {
                // An open quote ran to the end of the line: no key type and blob after the options.
                Assert.True(text[end..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Length < 2, text);
            }
        }
    }

    /// <summary>sshkey_advance_past_options (OpenSSH authfile.c), one character at a time: the reference.</summary>
    private static int AdvancePastOptions(string s)
    {
        int i = 0;
        bool quoted = false;
        for (; i < s.Length && (quoted || (s[i] != ' ' && s[i] != '\t')); i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length && s[i + 1] == '"')
            {
                i++;
            }
            else if (s[i] == '"')
            {
                quoted = !quoted;
            }
        }
        return i;
    }

    [Theory]
    [InlineData("ssh-ed25519 AAAAC3 comment")]
    [InlineData("  \tfrom=\"a b\",no-pty ssh-ed25519 AAAA x")]
    [InlineData("command=\"say \\\"hi there\\\"\" ssh-rsa AAAA")]
    [InlineData("# ssh-ed25519 AAAA")]
    [InlineData("ssh-ed25519")]
    [InlineData("")]
    [InlineData("é=\"ü ü\" ssh-ed25519 AAAA")]
    [InlineData("no-pty")]
    public void Byte_splitter_agrees_with_the_char_one(string line) => AssertAgree(line);

    private static void AssertAgree(string line)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(line);
        bool charOk = AuthorizedKeyLineParser.TrySplit(line.AsSpan(), out var o1, out var t1, out var b1);
        bool byteOk = AuthorizedKeyLineParser.TrySplit(bytes.AsSpan(), out var o2, out var t2, out var b2);
        Assert.True(charOk == byteOk, line);
        if (!charOk)
        {
            return;
        }
        Assert.Equal(line[o1], Encoding.UTF8.GetString(bytes[o2]));
        Assert.Equal(line[t1], Encoding.UTF8.GetString(bytes[t2]));
        Assert.Equal(line[b1], Encoding.UTF8.GetString(bytes[b2]));
    }

    private static readonly string[] OptionPieces =
    [
        "no-pty", "NO-PTY", "restrict", "pty", "ptyx", "cert-authority", "from=\"10.0.0.0/8\"", "from=\"\"", "FROM=\"a\"",
        "expiry-time=\"20991231000000Z\"", "expiry-time=\"20200101\"", "Expiry-Time=\"202001010000\"", "expiry-time=\"20991231\"",
        "expiry-time=\"20990230\"", "expiry-time=\"2099123100000Z\"", "expiry-time=\"\\\"2099\"", "expiry-time=\"2099\\\"1231\"",
        "expiry-time=20991231", "expiry-time=\"20991231", "expiry-time=\"209912310000000000Z\"", "expiry-time=\"00010101\"",
        "command=\"a,b\"", "environment=\"A=b\"", "environment=\"=b\"", "tunnel=\"1\"", "permitopen=\"host:22\"",
        "principals=\"a\"", "bogus", "é", "expiry-tıme=\"20200101\"", ",", "\"", "\\\"", "=",
    ];

    public static TheoryData<string> Zones() => ["UTC", "Europe/Berlin", "America/Los_Angeles", "Pacific/Kiritimati"];

    [Theory]
    [MemberData(nameof(Zones))]
    public void Expiry_on_bytes_agrees_with_KeyOptions_ExpiryTime(string zoneId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var random = new Random(15);
        for (int n = 0; n < 20_000; n++)
        {
            var text = new StringBuilder();
            int count = random.Next(0, 5);
            for (int k = 0; k < count; k++)
            {
                if (k > 0 && random.Next(4) != 0)
                {
                    text.Append(',');
                }
                text.Append(OptionPieces[random.Next(OptionPieces.Length)]);
            }
            AssertExpiryAgrees(text.ToString(), zone);
        }
    }

    [Theory]
    [InlineData("expiry-time=\"20991231000000Z\"")]
    [InlineData("no-pty,expiry-time=\"20200101\",from=\"a\",expiry-time=\"20100101\"")]
    [InlineData("from=\"a\",from=\"b\",expiry-time=\"20200101\"")]
    [InlineData("from=\"\",expiry-time=\"20200101\"")]
    [InlineData("expiry-time=\"20200101\",")]
    [InlineData("expiry-time=\"20200101\"x")]
    [InlineData("command=\"x\",expiry-time=\"20200101\"")]
    [InlineData("expiry-time=\"1\",expiry-time=\"2\",expiry-time=\"20200101\",expiry-time=\"20200102\",expiry-time=\"20200103\",expiry-time=\"20200104\",expiry-time=\"20200105\",expiry-time=\"20200106\",expiry-time=\"20200107\"")]
    [InlineData("expiry-time=\"20200101\",expiry-time=\"20200102\",expiry-time=\"20200103\",expiry-time=\"20200104\",expiry-time=\"20200105\",expiry-time=\"20200106\",expiry-time=\"20200107\",expiry-time=\"20200108\",expiry-time=\"20000109\"")]
    [InlineData("expiry-time=\"2020\\\"0101\"")]
    [InlineData("expiry-time=\"20200101\\\"\"")]
    [InlineData("")]
    public void Expiry_on_bytes_agrees_with_KeyOptions_ExpiryTime_on(string text) =>
        AssertExpiryAgrees(text, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));

    /// <summary>Outcomes compared, exceptions included (00010101 in a zone east of UTC is before year 1 in UTC).</summary>
    private static void AssertExpiryAgrees(string text, TimeZoneInfo zone)
    {
        string expected = Outcome(() =>
            KeyOptionsParser.TryParse(text, out var options, out _) ? $"ok {Show(options.ExpiryTime(zone))}" : "invalid");
        string actual = Outcome(() =>
            KeyOptionsParser.TryGetExpiryTime(Encoding.UTF8.GetBytes(text), zone, out var earliest) ? $"ok {Show(earliest)}" : "invalid");
        Assert.True(expected == actual, $"{text}: {expected} vs {actual}");
    }

    private static string Show(DateTimeOffset? when) => when is { } w ? w.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : "none";

    private static string Outcome(Func<string> run)
    {
        try
        {
            return run();
        }
        catch (ArgumentOutOfRangeException e)
        {
            return e.GetType().Name;
        }
    }
}
