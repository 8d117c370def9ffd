using KeyAgentd.Core.HelperCache;

namespace KeyAgentd.KeysCommand.Tests;

/// <summary>keyagentd-keys --principals USER: sshd's AuthorizedPrincipalsCommand, served from the same cache with the same checks.</summary>
[Trait("Category", "Integration")]
public sealed class PrincipalsCommandTests : IDisposable
{
    private readonly HelperFixture _f = new();
    private static readonly string Ca = SshKeygen.Generate("ed25519", comment: "ops-ca");
    private static readonly string Key = SshKeygen.Generate("ed25519", comment: "alice");

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Prints_the_accounts_admitted_principals_with_their_options_and_no_key()
    {
        File.WriteAllBytes(_f.CachePath("root"), CacheIndex.FileFor($"{Key}\ncert-authority,principals=\"alice,bob\",no-pty {Ca}\n"));
        HelperFixture.Chmod(_f.CachePath("root"), "644");

        var (code, stdout, stderr) = _f.Run("--state-dir", _f.StateDirectory, "--principals", "root");

        Assert.Equal((0, "no-pty alice\nno-pty bob\n", ""), (code, stdout, stderr));
        Assert.Equal(Key + "\n" + $"cert-authority,principals=\"alice,bob\",no-pty {Ca}\n", _f.Run("--state-dir", _f.StateDirectory, "root").Stdout);
    }

    [Fact]
    public void Asked_for_one_fingerprint_the_helper_also_serves_the_ca_lines_since_sshds_f_of_a_certificate_is_never_its_cas()
    {
        string other = SshKeygen.Generate("ecdsa", 256, comment: "other");
        string ca = $"cert-authority,principals=\"alice\" {Ca}";
        _f.WriteCache("root", Key, other, ca);
        string certificateKey = Core.AuthorizedKeys.AuthorizedKeyLineParser.Parse(SshKeygen.Generate("ed25519", comment: "cert key")).Key!.Sha256Fingerprint;

        Assert.Equal(ca + "\n", _f.Run("--state-dir", _f.StateDirectory, "root", certificateKey).Stdout);
        string fingerprint = Core.AuthorizedKeys.AuthorizedKeyLineParser.Parse(other).Key!.Sha256Fingerprint;
        Assert.Equal(other + "\n" + ca + "\n", _f.Run("--state-dir", _f.StateDirectory, "root", fingerprint).Stdout);
    }

    [Fact]
    public void An_account_without_a_cache_or_without_ca_lines_admits_nobody()
    {
        _f.WriteCache("alice", Key);
        Assert.Equal((0, ""), Pick(_f.Run("--state-dir", _f.StateDirectory, "--principals", "alice")));
        Assert.Equal((0, ""), Pick(_f.Run("--state-dir", _f.StateDirectory, "--principals", "nobody")));
        Assert.Equal((0, ""), Pick(_f.Run("--state-dir", _f.StateDirectory, "--principals", "../keys/alice")));
    }

    [Fact]
    public void A_cache_others_can_write_is_refused_as_for_keys()
    {
        _f.WriteCache("root", $"cert-authority,principals=\"mallory\" {Ca}");
        HelperFixture.Chmod(_f.CachePath("root"), "666");

        var (code, stdout, stderr) = _f.Run("--state-dir", _f.StateDirectory, "--principals", "root");

        Assert.Equal((KeysCommandProgram.ExitRefused, ""), (code, stdout));
        Assert.Contains("refused", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--principals", "root", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("--principals", "root", "--then", "/bin/true")]
    public void Principals_takes_no_fingerprint_and_no_chained_command(params string[] args)
    {
        Assert.Equal(KeysCommandProgram.ExitUsage, _f.Run(args).ExitCode);
    }

    private static (int, string) Pick((int ExitCode, string Stdout, string Stderr) run) => (run.ExitCode, run.Stdout);
}
