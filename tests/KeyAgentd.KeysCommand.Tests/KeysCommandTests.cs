using KeyAgentd.Core.HelperCache;
using KeyAgentd.Core.AuthorizedKeys;

namespace KeyAgentd.KeysCommand.Tests;

[Trait("Category", "Integration")]
public sealed class KeysCommandTests : IDisposable
{
    private readonly HelperFixture _f = new();

    public void Dispose() => _f.Dispose();

    /// <summary>A cache as keyagentd writes it: its index line, then the keys.</summary>
    private static string DaemonCache(string keys) => System.Text.Encoding.UTF8.GetString(CacheIndex.FileFor(keys));

    private static string Fp(string keyLine) => AuthorizedKeyLineParser.Parse(keyLine).Key!.Sha256Fingerprint;

    [Fact]
    public void Prints_every_key_line_of_the_user_and_not_the_header()
    {
        string a = SshKeygen.Generate("ed25519", comment: "a");
        string b = "no-agent-forwarding,from=\"10.0.0.0/8\" " + SshKeygen.Generate("ecdsa", 256, comment: "b");
        _f.WriteCache("alice", a, b);

        var (code, stdout, stderr) = _f.Run("--state-dir", _f.StateDirectory, "alice");

        Assert.Equal(0, code);
        Assert.Equal(a + "\n" + b + "\n", stdout);
        Assert.Empty(stderr);
    }

    [Fact]
    public void Option_may_follow_the_arguments_and_take_the_equals_form()
    {
        string a = SshKeygen.Generate("ed25519");
        _f.WriteCache("alice", a);

        Assert.Equal(a + "\n", _f.Run("alice", "--state-dir", _f.StateDirectory).Stdout);
        Assert.Equal(a + "\n", _f.Run("alice", Fp(a), "--state-dir", _f.StateDirectory).Stdout);
        Assert.Equal(a + "\n", _f.Run("--state-dir=" + _f.StateDirectory, "alice").Stdout);
    }

    [Fact]
    public void Environment_variable_names_the_state_directory_and_the_option_wins_over_it()
    {
        string a = SshKeygen.Generate("ed25519");
        _f.WriteCache("alice", a);

        Assert.Equal(a + "\n", _f.Run(["alice"], _f.StateDirectory).Stdout);
        Assert.Equal("", _f.Run(["--state-dir", "/nonexistent-keyagentd", "alice"], _f.StateDirectory).Stdout);
    }

    [Fact]
    public void Default_state_directory_is_var_lib_keyagentd() =>
        Assert.Equal("/var/lib/keyagentd", KeysCommandProgram.DefaultStateDirectory);

    [Fact]
    public void Fingerprint_selects_only_that_key()
    {
        string a = SshKeygen.Generate("ed25519", comment: "a");
        string b = SshKeygen.Generate("ed25519", comment: "b");
        string c = SshKeygen.Generate("rsa", 2048, comment: "c");
        _f.WriteCache("alice", a, b, c);

        Assert.Equal(b + "\n", _f.Run("--state-dir", _f.StateDirectory, "alice", Fp(b)).Stdout);
        Assert.Equal(c + "\n", _f.Run("--state-dir", _f.StateDirectory, "alice", Fp(c)).Stdout);
    }

    [Fact]
    public void Fingerprint_of_a_key_not_in_the_cache_prints_nothing()
    {
        _f.WriteCache("alice", SshKeygen.Generate("ed25519"));
        var (code, stdout, _) = _f.Run("--state-dir", _f.StateDirectory, "alice", Fp(SshKeygen.Generate("ed25519", cached: false)));
        Assert.Equal(0, code);
        Assert.Empty(stdout);
    }

    [Theory]
    [InlineData("SHA256:tooshort")]
    [InlineData("MD5:12:34")]
    [InlineData("sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU")]
    [InlineData("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF!")]
    [InlineData("")]
    public void Malformed_fingerprint_prints_nothing_and_exits_0(string fingerprint)
    {
        _f.WriteCache("alice", SshKeygen.Generate("ed25519"));
        var (code, stdout, _) = _f.Run("--state-dir", _f.StateDirectory, "alice", fingerprint);
        Assert.Equal(0, code);
        Assert.Empty(stdout);
    }

    [Fact]
    public void Expired_keys_are_dropped_and_future_ones_kept()
    {
        string expired = HelperFixture.WithExpiry(SshKeygen.Generate("ed25519", comment: "old"), HelperFixture.Now.AddSeconds(-1));
        string exactlyNow = HelperFixture.WithExpiry(SshKeygen.Generate("ed25519", comment: "now"), HelperFixture.Now);
        string future = HelperFixture.WithExpiry(SshKeygen.Generate("ed25519", comment: "new"), HelperFixture.Now.AddSeconds(20));
        _f.WriteCache("alice", expired, exactlyNow, future);

        Assert.Equal(future + "\n", _f.Run("--state-dir", _f.StateDirectory, "alice").Stdout);
        Assert.Empty(_f.Run(["--state-dir", _f.StateDirectory, "alice"], null, HelperFixture.Now.AddSeconds(21)).Stdout);
    }

    [Fact]
    public void Expiry_time_without_z_is_read_in_the_host_zone_the_clock_carries()
    {
        // Now is 12:00Z. "13:00" local passed at 11:00Z in UTC+2, and is still ahead (15:00Z) in UTC-2.
        string key = "expiry-time=\"202611211300\" " + SshKeygen.Generate("ed25519");
        _f.WriteCache("alice", key);
        var plus2 = TimeZoneInfo.CreateCustomTimeZone("plus2", TimeSpan.FromHours(2), "plus2", "plus2");
        var minus2 = TimeZoneInfo.CreateCustomTimeZone("minus2", TimeSpan.FromHours(-2), "minus2", "minus2");

        Assert.Empty(_f.Run(["--state-dir", _f.StateDirectory, "alice"], null, zone: plus2).Stdout);
        Assert.Equal(key + "\n", _f.Run(["--state-dir", _f.StateDirectory, "alice"], null, zone: minus2).Stdout);
    }

    [Fact]
    public void Expired_key_is_not_printed_even_when_asked_for_by_fingerprint()
    {
        string key = SshKeygen.Generate("ed25519");
        _f.WriteCache("alice", HelperFixture.WithExpiry(key, HelperFixture.Now.AddDays(-1)));
        Assert.Empty(_f.Run("--state-dir", _f.StateDirectory, "alice", Fp(key)).Stdout);
    }

    [Fact]
    public void A_cache_the_daemon_indexed_is_served_whole_with_the_keys_line_by_line_gives()
    {
        string a = SshKeygen.Generate("ed25519");
        string b = HelperFixture.WithExpiry(SshKeygen.Generate("ecdsa", 256), HelperFixture.Now.AddDays(2));
        string body = "# keyagentd: managed by keyagentd, changes are overwritten\n" + a + "\n" + b + "\n";
        File.WriteAllText(_f.CachePath("alice"), DaemonCache(body));

        string whole = _f.Run("--state-dir", _f.StateDirectory, "alice").Stdout;
        File.WriteAllText(_f.CachePath("alice"), body);
        string lineByLine = _f.Run("--state-dir", _f.StateDirectory, "alice").Stdout;

        Assert.Equal(body, whole);
        Assert.Equal(a + "\n" + b + "\n", lineByLine);
    }

    [Fact]
    public void An_indexed_cache_is_judged_line_by_line_once_its_earliest_expiry_may_have_passed()
    {
        string a = SshKeygen.Generate("ed25519");
        string soon = HelperFixture.WithExpiry(SshKeygen.Generate("ed25519", cached: false), HelperFixture.Now.AddHours(1));
        File.WriteAllText(_f.CachePath("alice"), DaemonCache(a + "\n" + soon + "\n"));

        Assert.Equal(a + "\n" + soon + "\n", _f.Run("--state-dir", _f.StateDirectory, "alice").Stdout);
        Assert.Equal(a + "\n", _f.Run(["--state-dir", _f.StateDirectory, "alice"], null, HelperFixture.Now.AddHours(2)).Stdout);
    }

    [Fact]
    public void An_index_that_does_not_match_the_file_is_ignored()
    {
        string a = SshKeygen.Generate("ed25519");
        // Bytes added after the daemon wrote it: the length no longer matches, so every line is judged.
        File.WriteAllText(_f.CachePath("alice"), DaemonCache(a + "\n") + "ssh-ed25519 AAAAnotbase64!!\n");

        Assert.Equal(a + "\n", _f.Run("--state-dir", _f.StateDirectory, "alice").Stdout);
    }

    [Fact]
    public void A_fingerprint_selects_one_key_of_an_indexed_cache()
    {
        string a = SshKeygen.Generate("ed25519");
        string b = SshKeygen.Generate("ed25519", cached: false);
        File.WriteAllText(_f.CachePath("alice"), DaemonCache(a + "\n" + b + "\n"));

        Assert.Equal(b + "\n", _f.Run("--state-dir", _f.StateDirectory, "alice", Fp(b)).Stdout);
    }

    [Fact]
    public void Invalid_and_comment_lines_in_the_cache_are_skipped()
    {
        string a = SshKeygen.Generate("ed25519");
        File.WriteAllText(_f.CachePath("alice"), "# header\n\nssh-ed25519 AAAAnotbase64!!\ngarbage\n" + a + "\n");
        Assert.Equal(a + "\n", _f.Run("--state-dir", _f.StateDirectory, "alice").Stdout);
    }

    [Fact]
    public void Lines_are_written_as_their_bytes_with_crlf_and_non_ascii_comments()
    {
        string a = SshKeygen.Generate("ed25519") + " caf\u00e9 \u2603";
        string b = "from=\"10.0.0.0/8\",no-pty " + SshKeygen.Generate("ecdsa", 256);
        File.WriteAllText(_f.CachePath("alice"), "# header\r\n" + a + "\r\n" + b + "\r\n");
        Assert.Equal(a + "\n" + b + "\n", _f.Run("--state-dir", _f.StateDirectory, "alice").Stdout);
    }

    [Fact]
    public void Invalid_utf8_is_printed_as_replacement_characters_as_before()
    {
        string a = SshKeygen.Generate("ed25519");
        byte[] bytes = [.. System.Text.Encoding.UTF8.GetBytes(a + " bad"), 0xff, 0xfe, (byte)'\n'];
        File.WriteAllBytes(_f.CachePath("alice"), bytes);
        Assert.Equal(a + " bad\ufffd\ufffd\n", _f.Run("--state-dir", _f.StateDirectory, "alice").Stdout);
    }

    [Fact]
    public void Damaged_blobs_are_skipped()
    {
        string a = SshKeygen.Generate("ed25519");
        string[] fields = a.Split(' ');
        string otherType = "ssh-rsa " + fields[1];
        string truncated = fields[0] + " " + fields[1][..^1];
        string badChar = fields[0] + " " + fields[1][..^2] + "*=";
        File.WriteAllText(_f.CachePath("alice"), string.Join("\n", otherType, truncated, badChar, a) + "\n");
        Assert.Equal(a + "\n", _f.Run("--state-dir", _f.StateDirectory, "alice").Stdout);
    }

    [Fact]
    public void A_blob_is_kept_exactly_when_a_whole_decode_accepts_it_and_it_names_the_line_type()
    {
        // The helper decodes only a blob's head and scans the rest against the alphabet; this holds
        // it to the whole decode's answer on thousands of damaged blobs (characters replaced,
        // dropped and padded, at the head, the middle and the tail).
        string[] keys = [SshKeygen.Generate("ed25519"), SshKeygen.Generate("ecdsa", 521), SshKeygen.Generate("rsa", 2048)];
        var random = new Random(20261130);
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=*-_. ";
        var lines = new List<string>();
        var expected = new System.Text.StringBuilder();
        for (int n = 0; n < 3000; n++)
        {
            string[] fields = keys[n % keys.Length].Split(' ');
            char[] blob = fields[1].ToCharArray();
            int at = (n / 3 % 3) switch { 0 => random.Next(Math.Min(blob.Length, 24)), 1 => random.Next(blob.Length), _ => blob.Length - 1 - random.Next(3) };
            string damaged = (n % 4) switch
            {
                0 => fields[1],
                1 => new string(blob) is var b ? b[..at] + Alphabet[random.Next(Alphabet.Length)] + b[(at + 1)..] : "",
                2 => fields[1][..at] + fields[1][(at + 1)..],
                _ => fields[1][..(fields[1].Length - random.Next(4))] + new string('=', random.Next(3)),
            };
            if (damaged.Length == 0 || damaged.Contains(' ', StringComparison.Ordinal))
            {
                continue;
            }
            string line = fields[0] + " " + damaged + " k" + n;
            lines.Add(line);
            var decoded = new byte[damaged.Length];
            bool whole = System.Buffers.Text.Base64.DecodeFromUtf8(System.Text.Encoding.ASCII.GetBytes(damaged), decoded, out _, out int written) == System.Buffers.OperationStatus.Done;
            bool named = written >= 4 && System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(decoded) == fields[0].Length &&
                System.Text.Encoding.ASCII.GetString(decoded, 4, Math.Min(fields[0].Length, written - 4)) == fields[0];
            if (whole && named)
            {
                expected.Append(line).Append('\n');
            }
        }
        File.WriteAllText(_f.CachePath("alice"), string.Join("\n", lines) + "\n");

        string actual = _f.Run("--state-dir", _f.StateDirectory, "alice").Stdout;
        Assert.Equal([], actual.Split('\n').Except(expected.ToString().Split('\n')));
        Assert.Equal([], expected.ToString().Split('\n').Except(actual.Split('\n')));
        Assert.Equal(expected.ToString(), actual);
    }

    [Fact]
    public void Expiry_time_among_other_options_in_any_case_and_with_quoting_is_honoured()
    {
        var now = HelperFixture.Now;
        string Key() => SshKeygen.Generate("ed25519");
        string past = ExpiryTimeFormat.Format(now.AddDays(-1)), future = ExpiryTimeFormat.Format(now.AddDays(1));
        string keptPlain = $"no-pty,expiry-time=\"{future}\",from=\"10.0.0.0/8\" {Key()}";
        string keptQuoted = $"command=\"echo \\\"a b\\\"\",EXPIRY-TIME=\"{future}\" {Key()}";
        string droppedPast = $"from=\"10.0.0.0/8\",Expiry-Time=\"{past}\" {Key()}";
        string droppedEarliest = $"expiry-time=\"{future}\",expiry-time=\"{past}\" {Key()}";
        string droppedBadOption = $"expiry-time=\"{future}\",bogus {Key()}";
        string droppedBadValue = $"expiry-time=\"20991331\" {Key()}";
        string droppedTwoFroms = $"from=\"a\",from=\"b\",expiry-time=\"{future}\" {Key()}";
        _f.WriteCache("alice", keptPlain, droppedPast, keptQuoted, droppedEarliest, droppedBadOption, droppedBadValue, droppedTwoFroms);
        Assert.Equal(keptPlain + "\n" + keptQuoted + "\n", _f.Run("--state-dir", _f.StateDirectory, "alice").Stdout);
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("../alice")]
    [InlineData("a/b")]
    [InlineData("/etc/passwd")]
    [InlineData("-alice")]
    [InlineData(".hidden")]
    [InlineData("name with space")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    public void Invalid_user_names_print_nothing_and_exit_0(string user)
    {
        _f.WriteCache("alice", SshKeygen.Generate("ed25519"));
        var (code, stdout, stderr) = _f.Run("--state-dir", Path.Combine(_f.StateDirectory, "keys", "x"), "--", user);
        Assert.Equal(0, code);
        Assert.Empty(stdout);
        Assert.Empty(stderr);
    }

    [Fact]
    public void Empty_user_name_prints_nothing_and_exits_0()
    {
        var (code, stdout, _) = _f.Run("--state-dir", _f.StateDirectory, "");
        Assert.Equal(0, code);
        Assert.Empty(stdout);
    }

    [Fact]
    public void Unknown_user_prints_nothing_and_exits_0_without_complaint()
    {
        var (code, stdout, stderr) = _f.Run("--state-dir", _f.StateDirectory, "nobody-here");
        Assert.Equal(0, code);
        Assert.Empty(stdout);
        Assert.Empty(stderr);
    }

    [Fact]
    public void Missing_state_directory_prints_nothing_and_exits_0()
    {
        var (code, stdout, _) = _f.Run("--state-dir", "/nonexistent-keyagentd-state", "alice");
        Assert.Equal(0, code);
        Assert.Empty(stdout);
    }

    [Fact]
    public void Symlinked_cache_file_is_refused()
    {
        string target = Path.Combine(_f.StateDirectory, "elsewhere");
        File.WriteAllText(target, SshKeygen.Generate("ed25519") + "\n");
        File.CreateSymbolicLink(_f.CachePath("alice"), target);

        var (code, stdout, stderr) = _f.Run("--state-dir", _f.StateDirectory, "alice");

        Assert.Equal(KeysCommandProgram.ExitRefused, code);
        Assert.Empty(stdout);
        Assert.Contains("symbolic link", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Directory_in_place_of_the_cache_file_is_refused()
    {
        Directory.CreateDirectory(_f.CachePath("alice"));
        var (code, stdout, stderr) = _f.Run("--state-dir", _f.StateDirectory, "alice");
        Assert.Equal(KeysCommandProgram.ExitRefused, code);
        Assert.Empty(stdout);
        Assert.Contains("not a regular file", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Fifo_in_place_of_the_cache_file_is_refused_without_blocking()
    {
        var mkfifo = ProcessRunner.Run("mkfifo", [_f.CachePath("alice")]);
        Assert.Equal(0, mkfifo.ExitCode);
        var (code, stdout, stderr) = _f.Run("--state-dir", _f.StateDirectory, "alice");
        Assert.Equal(KeysCommandProgram.ExitRefused, code);
        Assert.Empty(stdout);
        Assert.Contains("not a regular file", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cache_of_thousands_of_keys_is_read_whole()
    {
        var lines = Enumerable.Range(0, 3000).Select(i => SshKeygen.Generate("rsa", 4096, $"k{i % 4}")).Take(4).ToList();
        var many = Enumerable.Range(0, 2000).Select(i => lines[i % 4]).ToArray();
        _f.WriteCache("alice", many);
        Assert.True(new FileInfo(_f.CachePath("alice")).Length > 1024 * 1024);

        var (code, stdout, stderr) = _f.Run("--state-dir", _f.StateDirectory, "alice");

        Assert.Equal(0, code);
        Assert.Empty(stderr);
        Assert.Equal(2000, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Oversized_cache_file_is_refused()
    {
        string a = SshKeygen.Generate("ed25519");
        using (var writer = new StreamWriter(_f.CachePath("alice")))
        {
            writer.WriteLine(a);
            writer.Write(new string('#', CacheFileReader.MaxBytes));
            writer.WriteLine();
        }
        var (code, stdout, stderr) = _f.Run("--state-dir", _f.StateDirectory, "alice");
        Assert.Equal(KeysCommandProgram.ExitRefused, code);
        Assert.Empty(stdout);
        Assert.Contains("larger than", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Cache_file_of_exactly_the_limit_is_read()
    {
        string a = SshKeygen.Generate("ed25519");
        string head = a + "\n#";
        File.WriteAllText(_f.CachePath("alice"), head + new string('x', 1024 * 1024 - head.Length - 1) + "\n");
        Assert.Equal(1024 * 1024, new FileInfo(_f.CachePath("alice")).Length);
        Assert.Equal(a + "\n", _f.Run("--state-dir", _f.StateDirectory, "alice").Stdout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--state-dir")]
    [InlineData("--bogus alice")]
    [InlineData("alice SHA256:x extra")]
    [InlineData("--state-dir= alice")]
    public void Usage_errors_exit_2_with_a_message(string commandLine)
    {
        var (code, stdout, stderr) = _f.Run(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("usage: keyagentd-keys", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--x\nkeyagentd-keys: forged\u001b[2J", "alice")]
    [InlineData("alice", "--then", "bin/x\nforged\u001b[2J")]
    [InlineData("--then-timeout", "1\nforged\u001b[2J", "alice", "--then", "/bin/true")]
    public void A_usage_error_is_escaped_so_an_argument_cannot_forge_a_line_of_sshds_log(params string[] args)
    {
        // sshd logs the command's stderr; its arguments carry what sshd expanded (%u, %f, …).
        var (code, _, stderr) = _f.Run(args);

        Assert.Equal(2, code);
        string error = stderr.Split('\n')[0];
        Assert.Contains("forged\\x1b[2J", error, StringComparison.Ordinal);
        Assert.Equal(2, stderr.TrimEnd('\n').Split('\n').Length);
    }

    [Fact]
    public void What_becomes_of_the_other_command_is_one_escaped_line()
    {
        var (code, _, stderr) = _f.Run("--state-dir", _f.StateDirectory, "alice", "--then", "/nonexistent\nkeyagentd-keys: forged\u001b[2J");

        Assert.Equal(0, code);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("/nonexistent\\nkeyagentd-keys: forged\\x1b[2J", stderr, StringComparison.Ordinal);
    }
}
