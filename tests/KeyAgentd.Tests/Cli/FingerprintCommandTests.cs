using KeyAgentd.Cli;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Cli;

/// <summary>`keyagentd fingerprint` prints exactly what ssh-keygen -l prints.</summary>
public class FingerprintCommandTests
{
    private static string MixedFile()
    {
        var lines = new List<string>
        {
            "# comment line",
            "",
            SshKeygen.Generate("rsa", 2048, "rsa two"),
            SshKeygen.Generate("rsa", 3072, "rsa three"),
            SshKeygen.Generate("rsa", 4096, "rsa four"),
            SshKeygen.Generate("ecdsa", 256, "p256"),
            SshKeygen.Generate("ecdsa", 384, "p384"),
            SshKeygen.Generate("ecdsa", 521, "p521"),
            SshKeygen.Generate("ed25519", 0, "ed"),
            SshKeygen.Generate("dsa", 1024, "dsa is still printed"),
            "from=\"10.0.0.0/8\",no-pty,command=\"echo \\\"hi\\\"\" " + SshKeygen.Generate("ed25519", 0, "with options"),
            "bogus-option " + SshKeygen.Generate("ecdsa", 256, "ssh-keygen does not judge options"),
            WireBuilder.SkEd25519Line(SshKeygen.Generate("ed25519"), comment: "sk ed"),
            WireBuilder.SkEcdsaLine(SshKeygen.Generate("ecdsa", 256), comment: "sk ecdsa"),
            SshKeygen.SignUserCertificate(SshKeygen.Generate("ed25519", 0, "cert")),
            "ssh-ed25519 AAAA-not-base64 skipped",
            "   \t" + SshKeygen.Generate("ed25519", 0, "indented   comment  with  spaces"),
        };
        return string.Join('\n', lines) + "\n";
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Output_is_byte_identical_to_ssh_keygen(bool md5)
    {
        using var dir = new TempDirectory();
        string file = dir.File("keys");
        File.WriteAllText(file, MixedFile());
        var (keygenExit, keygenLines) = SshKeygen.Fingerprint(File.ReadAllText(file), md5);
        var stdout = new StringWriter();

        int exit = FingerprintCommand.Run(file, md5, stdout, new StringWriter());

        Assert.Equal(0, keygenExit);
        Assert.Equal(0, exit);
        Assert.Equal(string.Join('\n', keygenLines) + "\n", stdout.ToString());
        Assert.Equal(14, keygenLines.Length);
    }

    [Fact]
    public void A_file_without_keys_is_an_error_like_ssh_keygen()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("empty"), "# nothing\n");
        var stderr = new StringWriter();
        Assert.Equal(1, FingerprintCommand.Run(dir.File("empty"), false, new StringWriter(), stderr));
        Assert.Contains("is not a public key file", stderr.ToString());
        Assert.NotEqual(0, SshKeygen.Fingerprint("# nothing\n").ExitCode);
    }

    [Fact]
    public void Missing_file_is_reported()
    {
        var stderr = new StringWriter();
        Assert.Equal(1, FingerprintCommand.Run("/nonexistent/keys", false, new StringWriter(), stderr));
        Assert.Contains("/nonexistent/keys", stderr.ToString());
    }

    [Fact]
    public void Control_characters_in_comments_are_printed_escaped()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("keys"), HostileText.AuthorizedKeys(SshKeygen.Generate("ed25519")));
        int exit = 1;

        byte[] output = HostileText.Capture(stdout => exit = FingerprintCommand.Run(dir.File("keys"), false, stdout, TextWriter.Null));

        Assert.Equal(0, exit);
        HostileText.AssertInert(output);
        Assert.Contains("csi\\x9b2J nel\\x85 ls\\u2028ps\\u2029end (ED25519)", System.Text.Encoding.UTF8.GetString(output), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rsa_signature_algorithm_type_tokens_print_what_ssh_keygen_prints(bool md5)
    {
        string rsa = SshKeygen.Generate("rsa", 3072, "rsa");
        string blob = rsa.Split(' ')[1];
        string cert = SshKeygen.SignUserCertificate(SshKeygen.Generate("rsa", 2048, "cert"));
        string certRest = cert[(cert.IndexOf(' ', StringComparison.Ordinal) + 1)..];
        string text = string.Join('\n',
            $"rsa-sha2-256 {blob} two five six",
            $"rsa-sha2-512 {blob} five one two",
            $"from=\"10.0.0.0/8\" rsa-sha2-512 {blob} with options",
            $"rsa-sha2-256-cert-v01@openssh.com {certRest}",
            $"rsa-sha2-512-cert-v01@openssh.com {certRest}") + "\n";
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("keys"), text);
        var (keygenExit, keygenLines) = SshKeygen.Fingerprint(text, md5);
        var stdout = new StringWriter();

        int exit = FingerprintCommand.Run(dir.File("keys"), md5, stdout, new StringWriter());

        Assert.Equal(0, keygenExit);
        Assert.Equal(0, exit);
        Assert.Equal(5, keygenLines.Length);
        Assert.EndsWith("(RSA)", keygenLines[0], StringComparison.Ordinal);
        Assert.Equal(string.Join('\n', keygenLines) + "\n", stdout.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_blob_whose_own_type_is_an_rsa_signature_algorithm_prints_the_rsa_fingerprint_ssh_keygen_prints(bool md5)
    {
        string rsa = SshKeygen.Generate("rsa", 3072, "rsa");
        string text = string.Join('\n',
            $"ssh-rsa {WireBuilder.RsaWithInnerType(rsa, "rsa-sha2-256")} inner two five six",
            $"ssh-rsa {WireBuilder.RsaWithInnerType(rsa, "rsa-sha2-512")} inner five one two",
            $"rsa-sha2-512 {WireBuilder.RsaWithInnerType(rsa, "rsa-sha2-256")} both") + "\n";
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("keys"), text);
        var (keygenExit, keygenLines) = SshKeygen.Fingerprint(text, md5);
        var stdout = new StringWriter();

        int exit = FingerprintCommand.Run(dir.File("keys"), md5, stdout, new StringWriter());

        Assert.Equal(0, keygenExit);
        Assert.Equal(3, keygenLines.Length);
        Assert.All(keygenLines, l => Assert.EndsWith("(RSA)", l, StringComparison.Ordinal));
        Assert.Equal(0, exit);
        Assert.Equal(string.Join('\n', keygenLines) + "\n", stdout.ToString());
    }
}
