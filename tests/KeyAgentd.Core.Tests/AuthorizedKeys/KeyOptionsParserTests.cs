using KeyAgentd.Core.AuthorizedKeys;

namespace KeyAgentd.Core.Tests.AuthorizedKeys;

public class KeyOptionsParserTests
{
    [Theory]
    [InlineData("restrict")]
    [InlineData("cert-authority")]
    [InlineData("no-port-forwarding")]
    [InlineData("no-agent-forwarding")]
    [InlineData("no-x11-forwarding")]
    [InlineData("no-pty")]
    [InlineData("no-user-rc")]
    [InlineData("no-touch-required")]
    [InlineData("verify-required")]
    [InlineData("port-forwarding")]
    [InlineData("agent-forwarding")]
    [InlineData("x11-forwarding")]
    [InlineData("pty")]
    [InlineData("user-rc")]
    public void Every_flag_sshd_knows_is_accepted(string flag)
    {
        Assert.Equal([KeyOption.Flag(flag)], KeyOptionsParser.Parse(flag));
        Assert.Equal([KeyOption.Flag(flag)], KeyOptionsParser.Parse(flag.ToUpperInvariant()));
    }

    [Theory]
    [InlineData("command=\"/bin/true\"", "command", "/bin/true")]
    [InlineData("environment=\"PATH=/bin\"", "environment", "PATH=/bin")]
    [InlineData("from=\"*.example.com,!bad.example.com\"", "from", "*.example.com,!bad.example.com")]
    [InlineData("permitopen=\"[::1]:22\"", "permitopen", "[::1]:22")]
    [InlineData("permitopen=\"host:*\"", "permitopen", "host:*")]
    [InlineData("permitlisten=\"8080\"", "permitlisten", "8080")]
    [InlineData("principals=\"a,b\"", "principals", "a,b")]
    [InlineData("tunnel=\"0\"", "tunnel", "0")]
    [InlineData("expiry-time=\"20301231\"", "expiry-time", "20301231")]
    [InlineData("expiry-time=\"203012312359\"", "expiry-time", "203012312359")]
    [InlineData("expiry-time=\"20301231235959Z\"", "expiry-time", "20301231235959Z")]
    public void Every_valued_option_sshd_knows_is_accepted(string text, string name, string value) =>
        Assert.Equal([new KeyOption(name, value)], KeyOptionsParser.Parse(text));

    [Fact]
    public void Backslash_escapes_only_a_quote()
    {
        Assert.Equal("a\\b\"c", KeyOptionsParser.Parse("command=\"a\\b\\\"c\"")[0].Value);
    }

    [Fact]
    public void Earliest_expiry_time_wins()
    {
        var options = KeyOptionsParser.Parse("expiry-time=\"20310101Z\",expiry-time=\"20300101Z\"");
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), options.ExpiryTime(TimeZoneInfo.Utc));
    }

    [Fact]
    public void Expiry_without_z_is_host_local_time()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("plus2", TimeSpan.FromHours(2), "plus2", "plus2");
        Assert.True(ExpiryTimeFormat.TryParse("203001011200", zone, out var when));
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 10, 0, 0, TimeSpan.Zero), when.ToUniversalTime());
    }

    [Fact]
    public void Expiry_time_reads_a_value_without_z_in_the_given_zone_and_one_with_z_as_utc()
    {
        var options = KeyOptionsParser.Parse("expiry-time=\"203001011200\",expiry-time=\"20300101113000Z\"");
        var plus2 = TimeZoneInfo.CreateCustomTimeZone("plus2", TimeSpan.FromHours(2), "plus2", "plus2");
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 10, 0, 0, TimeSpan.Zero), options.ExpiryTime(plus2));
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 11, 30, 0, TimeSpan.Zero), options.ExpiryTime(TimeZoneInfo.Utc));
    }

    [Fact]
    public void Expiry_format_writes_utc_seconds()
    {
        Assert.Equal("20270601000000Z", ExpiryTimeFormat.Format(new DateTimeOffset(2027, 6, 1, 2, 0, 0, TimeSpan.FromHours(2))));
    }

    /// <summary>Property: for random option lists, render → parse is the identity.</summary>
    [Fact]
    public void Render_then_parse_is_identity_for_generated_options()
    {
        var random = new Random(20261121);
        for (int trial = 0; trial < 5000; trial++)
        {
            var options = new KeyOptions(Enumerable.Range(0, random.Next(1, 6)).Select(_ => RandomOption(random)).DistinctBy(o => o.Name));
            string rendered = options.Render();
            Assert.True(KeyOptionsParser.TryParse(rendered, out var parsed, out string? error), $"{rendered}: {error}");
            Assert.Equal(options, parsed);
        }
    }

    /// <summary>Property: whatever random text parses, re-rendering it parses back to the same options.</summary>
    [Fact]
    public void Parse_then_render_then_parse_is_identity_for_random_text()
    {
        var random = new Random(7);
        const string Alphabet = "abcdefmnoprtuxy-=\",\\ *.:/0123456789AZ";
        string[] seeds = ["command=\"", "from=\"", "no-pty", "restrict", "environment=\"A=", "permitopen=\"h:1", "\\\"", "\",", "pty"];
        int parsedCount = 0;
        for (int trial = 0; trial < 20000; trial++)
        {
            var text = new System.Text.StringBuilder();
            int parts = random.Next(1, 6);
            for (int p = 0; p < parts; p++)
            {
                text.Append(random.Next(2) == 0 ? seeds[random.Next(seeds.Length)] : Alphabet[random.Next(Alphabet.Length)].ToString());
            }
            if (!KeyOptionsParser.TryParse(text.ToString(), out var first, out _))
            {
                continue;
            }
            parsedCount++;
            Assert.True(KeyOptionsParser.TryParse(first.Render(), out var second, out string? error), $"{text} → {first.Render()}: {error}");
            Assert.Equal(first, second);
        }
        Assert.True(parsedCount > 100, $"only {parsedCount} random texts parsed; the generator is too weak");
    }

    private static KeyOption RandomOption(Random random)
    {
        string[] flags = [.. KeyOptionsParser.KnownNames.Where(n => !n.Contains("command", StringComparison.Ordinal) && n is not ("from" or "principals" or "expiry-time" or "environment" or "permitopen" or "permitlisten" or "tunnel"))];
        return random.Next(7) switch
        {
            0 => new KeyOption("command", RandomText(random)),
            1 => new KeyOption("from", RandomText(random) + "x"),
            2 => new KeyOption("environment", "V" + random.Next(100) + "=" + RandomText(random)),
            3 => new KeyOption("permitopen", "host" + random.Next(9) + ":" + random.Next(1, 65536)),
            4 => new KeyOption("expiry-time", $"2030{random.Next(1, 13):00}{random.Next(1, 29):00}Z"),
            5 => new KeyOption("principals", RandomText(random) + "p"),
            _ => KeyOption.Flag(flags[random.Next(flags.Length)]),
        };
    }

    private static string RandomText(Random random)
    {
        const string Alphabet = "ab ,\"\\=*!/.: 09";
        var chars = Enumerable.Range(0, random.Next(0, 12)).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray();
        string text = new(chars);
        return text.TrimEnd('\\');
    }
}
