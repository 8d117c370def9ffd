using System.Text.Json;
using KeyAgentd.Cli;
using KeyAgentd.Core.Policy;
using KeyAgentd.Tests.Support;
using KeyAgentd.Tests.Sync;

namespace KeyAgentd.Tests.Cli;

/// <summary>`keyagentd check`: one verdict per key line, a clear reason for each rejection, exit 1 if any.</summary>
public class CheckCommandTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static (int Exit, string Output) Check(string text, bool json = false, KeyPolicy? policy = null)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("authorized_keys"), text);
        var stdout = new StringWriter();
        int exit = CheckCommand.Run(dir.File("authorized_keys"), json, policy ?? new KeyPolicy(null, TimeZoneInfo.Utc), Now, stdout, new StringWriter());
        return (exit, stdout.ToString());
    }

    [Fact]
    public void All_good_keys_exit_zero()
    {
        var (exit, output) = Check(SshKeygen.Generate("ed25519") + "\n" + SshKeygen.Generate("rsa", 4096) + "\n");
        Assert.Equal(0, exit);
        Assert.EndsWith("2 accepted, 0 rejected\n", output);
    }

    [Fact]
    public void Every_bad_input_is_rejected_with_its_reason()
    {
        string ed = SshKeygen.Generate("ed25519", comment: "ed");
        byte[] blob = Convert.FromBase64String(ed.Split(' ')[1]);
        var cases = new (string Line, ReasonCode Reason)[]
        {
            (SshKeygen.Generate("dsa", 1024), ReasonCode.DsaNotAllowed),
            (SshKeygen.Generate("rsa", 1024), ReasonCode.RsaTooSmall),
            ("ssh-rsa " + ed.Split(' ')[1], ReasonCode.TypeMismatch),
            ("ssh-ed25519 " + ed.Split(' ')[1][..20] + "!" + ed.Split(' ')[1][21..], ReasonCode.BadBase64),
            ("ssh-ed25519 " + Convert.ToBase64String(blob[..^4]), ReasonCode.TruncatedBlob),
            ("ssh-ed25519 " + Convert.ToBase64String([.. blob, 1, 2, 3]), ReasonCode.TrailingBytes),
            ("command=\"/bin/sh\" " + ed, ReasonCode.OptionNotAllowed),
            ("no-pty,, " + ed, ReasonCode.MalformedOptions),
            (SshKeygen.SignUserCertificate(SshKeygen.Generate("ed25519")), ReasonCode.CertificateNotAllowed),
            ("expiry-time=\"20200101\" " + ed, ReasonCode.Expired),
            (ed + " evil\u0001comment", ReasonCode.ControlCharacter),
            ("-----BEGIN OPENSSH PRIVATE KEY-----", ReasonCode.PrivateKey),
        };
        string text = string.Join('\n', cases.Select(c => c.Line)) + "\n";

        var (exit, output) = Check(text, json: true);

        Assert.Equal(1, exit);
        using var document = JsonDocument.Parse(output);
        var verdicts = document.RootElement.GetProperty("verdicts").EnumerateArray().ToList();
        Assert.Equal(cases.Length, verdicts.Count);
        for (int i = 0; i < cases.Length; i++)
        {
            Assert.Equal(i + 1, verdicts[i].GetProperty("line").GetInt32());
            Assert.False(verdicts[i].GetProperty("accepted").GetBoolean());
            Assert.Equal(cases[i].Reason.ToCode(), verdicts[i].GetProperty("reason").GetString());
            Assert.False(string.IsNullOrWhiteSpace(verdicts[i].GetProperty("message").GetString()));
        }
        Assert.Equal(0, document.RootElement.GetProperty("accepted").GetInt32());
        Assert.Equal(cases.Length, document.RootElement.GetProperty("rejected").GetInt32());
    }

    [Fact]
    public void Text_verdict_names_line_type_bits_fingerprint_comment_and_options()
    {
        string rsa = SshKeygen.Generate("rsa", 1024, comment: "old laptop");
        var (exit, output) = Check("# header\nno-pty " + rsa + "\n");
        Assert.Equal(1, exit);
        Assert.Matches(@"^2: REJECT rsa-too-small  RSA 1024 SHA256:[A-Za-z0-9+/]{43} ""old laptop"" options: no-pty\n   RSA key is 1024 bits", output);
    }

    [Fact]
    public void Putty_block_and_wrapped_key_get_a_one_line_fix()
    {
        string ed = SshKeygen.Generate("ed25519", comment: "me");
        string rsa = SshKeygen.Generate("rsa", 3072, comment: "wrapped");
        string wrapped = "ssh-rsa " + string.Join('\n', rsa.Split(' ')[1].Chunk(64).Select(c => new string(c))) + " wrapped";
        var (exit, output) = Check(SshKeygen.ExportRfc4716(ed) + wrapped + "\n", json: true);

        Assert.Equal(1, exit);
        using var document = JsonDocument.Parse(output);
        var suggestions = document.RootElement.GetProperty("verdicts").EnumerateArray()
            .Select(v => (v.GetProperty("reason").GetString(), v.GetProperty("suggestion").GetString())).ToList();
        Assert.Equal(2, suggestions.Count);
        Assert.All(suggestions, s => Assert.Equal("needs-conversion", s.Item1));
        Assert.Equal(ed.Split(' ')[1], suggestions[0].Item2!.Split(' ')[1]);
        Assert.Equal(rsa, suggestions[1].Item2);
    }

    [Fact]
    public void Hostile_comment_cannot_drive_the_terminal()
    {
        string ed = SshKeygen.Generate("ed25519");
        var (_, output) = Check(ed.Split(' ')[0] + " " + ed.Split(' ')[1] + " \u001b]0;pwned\u0007\n");
        Assert.DoesNotContain('\u001b', output);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Esc_c1_controls_and_line_separators_from_comments_reach_no_output_raw(bool json)
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("authorized_keys"), HostileText.AuthorizedKeys(SshKeygen.Generate("ed25519")));
        int exit = 0;

        byte[] output = HostileText.Capture(stdout => exit = CheckCommand.Run(dir.File("authorized_keys"), json, new KeyPolicy(null, TimeZoneInfo.Utc), Now, stdout, TextWriter.Null));

        Assert.Equal(1, exit);
        HostileText.AssertInert(output);
        string text = System.Text.Encoding.UTF8.GetString(output);
        if (json)
        {
            // JSON keeps the exact comment, escaped, for a program to read back.
            using var document = JsonDocument.Parse(text);
            var comments = document.RootElement.GetProperty("verdicts").EnumerateArray()
                .Select(v => v.GetProperty("comment").GetString()).ToList();
            Assert.Contains("csi\u009b2J nel\u0085 ls\u2028ps\u2029end", comments);
        }
        else
        {
            Assert.Contains("\"csi\\x9b2J nel\\x85 ls\\u2028ps\\u2029end\"", text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("rsa-sha2-256")]
    [InlineData("rsa-sha2-512")]
    public void Rsa_signature_algorithm_type_token_is_rejected_naming_it_with_the_ssh_rsa_line_as_the_fix(string token)
    {
        string rsa = SshKeygen.Generate("rsa", 3072, comment: "ops");
        string line = $"no-pty {token} {rsa.Split(' ')[1]} ops";

        var (exit, text) = Check(line + "\n");
        var (_, json) = Check(line + "\n", json: true);

        Assert.Equal(1, exit);
        Assert.Contains($"1: REJECT needs-conversion  RSA 3072 {SyncSandbox.Fingerprint(rsa)} \"ops\"", text, StringComparison.Ordinal);
        Assert.Contains($"\"{token}\" is an RSA signature algorithm, not a key type", text, StringComparison.Ordinal);
        Assert.Contains("\n   fix: no-pty " + rsa + "\n", text, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json);
        var verdict = Assert.Single(document.RootElement.GetProperty("verdicts").EnumerateArray());
        Assert.Equal("needs-conversion", verdict.GetProperty("reason").GetString());
        Assert.Equal("no-pty " + rsa, verdict.GetProperty("suggestion").GetString());
    }

    [Theory]
    [InlineData("rsa-sha2-256")]
    [InlineData("rsa-sha2-512")]
    public void Rsa_signature_algorithm_as_the_blobs_own_type_is_rejected_naming_it_with_the_ssh_rsa_line_as_the_fix(string inner)
    {
        string rsa = SshKeygen.Generate("rsa", 3072, comment: "ops");
        string line = $"no-pty ssh-rsa {WireBuilder.RsaWithInnerType(rsa, inner)} ops";

        var (exit, text) = Check(line + "\n");
        var (_, json) = Check(line + "\n", json: true);

        Assert.Equal(1, exit);
        Assert.Contains($"1: REJECT needs-conversion  RSA 3072 {SyncSandbox.Fingerprint(rsa)} \"ops\"", text, StringComparison.Ordinal);
        Assert.Contains($"the key blob's own type is \"{inner}\", an RSA signature algorithm, not a key type", text, StringComparison.Ordinal);
        Assert.DoesNotContain("line says", text, StringComparison.Ordinal);
        Assert.Contains("\n   fix: no-pty " + rsa + "\n", text, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json);
        var verdict = Assert.Single(document.RootElement.GetProperty("verdicts").EnumerateArray());
        Assert.Equal("needs-conversion", verdict.GetProperty("reason").GetString());
        Assert.Equal("no-pty " + rsa, verdict.GetProperty("suggestion").GetString());
    }

    [Fact]
    public void A_cert_authority_line_is_refused_even_between_keyagentds_own_markers()
    {
        // The markers are comments anyone can copy: a line judged "ok" for sitting between them would let a
        // person's key file carry cert-authority past review. The host's CA lines are read with `doctor USER`.
        using var ca = new KeyAgentd.Testing.TestCertificateAuthority();
        string file = $"{KeyAgentd.Core.Planning.AuthorizedKeysRenderer.BeginMarker}\n{SshKeygen.Generate("ed25519")}\n"
            + $"cert-authority,principals=\"alice,oncall\",no-pty {ca.PublicLine}\n{KeyAgentd.Core.Planning.AuthorizedKeysRenderer.EndMarker}\n";
        var everything = new KeyPolicy(new KeyPolicyOptions { AllowedOptions = ["*"] }, TimeZoneInfo.Utc);

        var (exit, output) = Check(file, policy: everything);

        Assert.Equal(1, exit);
        Assert.Contains("3: REJECT option-not-allowed", output, StringComparison.Ordinal);
        Assert.Contains("is never allowed on a key line, whatever Policy:AllowedOptions says", output, StringComparison.Ordinal);
        Assert.EndsWith("1 accepted, 1 rejected\n", output);
    }
}
