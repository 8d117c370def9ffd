using KeyAgentd.Cli;
using KeyAgentd.Tests.RegistrySource;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.Tests.RootRotation;

/// <summary>
/// `root sign`: one block per holder, through a real ssh-agent or `ssh-keygen -Y sign`, in the
/// keyagentd-root namespace; `ssh-keygen -Y verify -n keyagentd-root` is the oracle for every block.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RootSigningTests : IDisposable
{
    private readonly RootWorkspace _work = new();

    [Fact]
    public void Holders_sign_through_ssh_agent_and_ssh_keygen_and_ssh_keygen_verifies_every_block()
    {
        Assert.Equal(ExitCodes.Ok, _work.Init(["alice", "bob"], 2, ["ci"]).Exit);
        using var agent = new SshAgentProcess(_work.Scratch);
        agent.Add(_work.Key("bob"));

        var byKeygen = _work.Sign(1, "alice");
        var byAgent = _work.Sign(1, "bob", agent.Socket, keyFile: _work.Pub("bob"));

        Assert.Equal(ExitCodes.Ok, byKeygen.Exit);
        Assert.Contains("through ssh-keygen -Y sign; 1 block(s)", byKeygen.Stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, byAgent.Exit);
        Assert.Contains("through ssh-agent; 2 block(s)", byAgent.Stdout, StringComparison.Ordinal);
        Assert.Contains("its own root principals: 2 of 2 required", byAgent.Stdout, StringComparison.Ordinal);
        var blocks = Blocks(_work.Version(1) + ".sig");
        Assert.Equal(2, blocks.Count);
        string allowed = AllowedSigners("alice", "bob");
        Assert.True(SshKeygenVerifies(_work.Version(1), blocks[0], allowed, "alice"));
        Assert.True(SshKeygenVerifies(_work.Version(1), blocks[1], allowed, "bob"));
        // Under the snapshots' namespace the same blocks are worth nothing.
        Assert.False(SshKeygenVerifies(_work.Version(1), blocks[0], allowed, "alice", "keyagentd-registry"));
        var verify = _work.Verify();
        Assert.Equal(ExitCodes.Ok, verify.Exit);
        Assert.Contains("version 1: root-accepted", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains($"signature 2 {_work.Fingerprint("bob")}: its own root keys: bob, counts", verify.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_block_of_the_same_key_is_refused_and_the_sig_is_unchanged()
    {
        Assert.Equal(ExitCodes.Ok, _work.Init(["alice", "bob"], 2, ["ci"]).Exit);
        Assert.Equal(ExitCodes.Ok, _work.Sign(1, "alice").Exit);
        byte[] before = File.ReadAllBytes(_work.Version(1) + ".sig");

        var again = _work.Sign(1, "alice");

        Assert.Equal(ExitCodes.Failed, again.Exit);
        Assert.Contains("root-already-signed", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_work.Version(1) + ".sig"));
    }

    [Fact]
    public void A_key_that_is_not_a_root_key_cannot_sign_and_ssh_keygen_agrees()
    {
        Assert.Equal(ExitCodes.Ok, _work.Init(["alice", "bob"], 2, ["ci"]).Exit);

        var byCi = _work.Sign(1, "ci");

        Assert.Equal(ExitCodes.Failed, byCi.Exit);
        Assert.Contains("root-signer-not-root-key", byCi.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_work.Version(1) + ".sig"));
        // Made by hand, such a block is refused by the tool's verify and by ssh-keygen alike.
        var made = ProcessRunner.Run("ssh-keygen", ["-Y", "sign", "-q", "-f", _work.Key("ci"), "-n", TrustRootDocument.Namespace, _work.Version(1)]);
        Assert.Equal(0, made.ExitCode);
        var verify = _work.Verify();
        Assert.Equal(ExitCodes.Failed, verify.Exit);
        // No root key signed it: fewer than the threshold (RootVerifier counts a block of an unknown key as no vote).
        Assert.Contains("version 1: root-threshold-not-met", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("does not count, signer-unknown", verify.Stdout, StringComparison.Ordinal);
        Assert.False(SshKeygenVerifies(_work.Version(1), Blocks(_work.Version(1) + ".sig")[0], AllowedSigners("alice", "bob"), "ci"));
    }

    [Fact]
    public void A_holder_rotated_out_signs_the_next_version_as_a_holder_of_the_previous()
    {
        _work.SignedFirstRoot();
        // bob's key is stolen: alice and bob rotate it out for carol.
        Assert.Equal(ExitCodes.Ok, _work.Propose(new RootProposeCommand.Request(_work.Version(1))
        {
            RemoveRootKeys = ["bob"],
            AddRootKeys = [$"carol={_work.Pub("carol")}"],
        }).Exit);

        var byBob = _work.Sign(2, "bob");
        Assert.Equal(ExitCodes.Ok, byBob.Exit);
        Assert.Contains("bob (root key of version 1)", byBob.Stdout, StringComparison.Ordinal);
        var byAlice = _work.Sign(2, "alice");
        Assert.Equal(ExitCodes.Ok, byAlice.Exit);
        Assert.Contains("alice (root key of versions 1 and 2)", byAlice.Stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, _work.Verify().Exit);
        var byCarol = _work.Sign(2, "carol");
        Assert.Equal(ExitCodes.Ok, byCarol.Exit);
        Assert.Contains("version 1's root principals: 2 of 2 required", byCarol.Stdout, StringComparison.Ordinal);

        var verify = _work.Verify();
        Assert.Equal(ExitCodes.Ok, verify.Exit);
        Assert.Contains("version 2: root-accepted", verify.Stdout, StringComparison.Ordinal);
        var blocks = Blocks(_work.Version(2) + ".sig");
        Assert.True(SshKeygenVerifies(_work.Version(2), blocks[0], AllowedSigners("alice", "bob"), "bob"));
        Assert.True(SshKeygenVerifies(_work.Version(2), blocks[1], AllowedSigners("alice", "carol"), "alice"));
        Assert.True(SshKeygenVerifies(_work.Version(2), blocks[2], AllowedSigners("alice", "carol"), "carol"));
        Assert.False(SshKeygenVerifies(_work.Version(2), blocks[0], AllowedSigners("alice", "carol"), "bob"));
    }

    [Fact]
    public void A_document_changed_after_it_was_signed_is_not_signed_again()
    {
        Assert.Equal(ExitCodes.Ok, _work.Init(["alice", "bob"], 2, ["ci"]).Exit);
        Assert.Equal(ExitCodes.Ok, _work.Sign(1, "alice").Exit);
        var root = TrustRootParser.Parse(File.ReadAllBytes(_work.Version(1)), 2048);
        File.WriteAllBytes(_work.Version(1), TrustRootWriter.Render(root with { ExpiresAt = root.ExpiresAt.AddDays(1) }));
        byte[] before = File.ReadAllBytes(_work.Version(1) + ".sig");

        var byBob = _work.Sign(1, "bob");

        Assert.Equal(ExitCodes.Failed, byBob.Exit);
        Assert.Contains("root-stale-signature", byBob.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_work.Version(1) + ".sig"));
    }

    [Fact]
    public void A_root_that_breaks_the_rules_is_not_signed()
    {
        Assert.Equal(ExitCodes.Ok, _work.Init(["alice", "bob"], 2, ["ci"]).Exit);
        var stderr = new StringWriter();

        // A year and a day later the root has expired: signing it would publish a root no host accepts.
        int exit = RootSignCommand.Run(_work.Version(1), _work.Key("alice"), null, 2048, RootWorkspace.Now.AddDays(366), TextWriter.Null, stderr);

        Assert.Equal(ExitCodes.Failed, exit);
        Assert.Contains("root-rules-broken", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(_work.Version(1) + ".sig"));
    }

    [Fact]
    public void A_hand_edited_document_is_not_signed()
    {
        Assert.Equal(ExitCodes.Ok, _work.Init(["alice", "bob"], 2, ["ci"]).Exit);
        File.WriteAllText(_work.Version(1), File.ReadAllText(_work.Version(1)).Replace("  ", "   ", StringComparison.Ordinal));

        var byAlice = _work.Sign(1, "alice");

        Assert.Equal(ExitCodes.Failed, byAlice.Exit);
        Assert.Contains("root-unreadable", byAlice.Stderr, StringComparison.Ordinal);
        Assert.Contains("not the canonical rendering", byAlice.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_private_key_whose_pub_names_another_root_key_writes_nothing()
    {
        Assert.Equal(ExitCodes.Ok, _work.Init(["alice", "bob"], 2, ["ci"]).Exit);
        Assert.Equal(ExitCodes.Ok, _work.Sign(1, "alice").Exit);
        byte[] before = File.ReadAllBytes(_work.Version(1) + ".sig");
        // alice's private key with bob's public key beside it: what is written must be a block of the key checked, or nothing.
        string lying = Path.Combine(_work.Scratch, "lying");
        File.Copy(_work.Key("alice"), lying);
        File.Copy(_work.Pub("bob"), lying + ".pub");

        var signed = _work.Sign(1, "bob", keyFile: lying);

        Assert.Equal(ExitCodes.Failed, signed.Exit);
        Assert.Equal(before, File.ReadAllBytes(_work.Version(1) + ".sig"));
    }

    public void Dispose() => _work.Dispose();

    private string AllowedSigners(params string[] holders)
    {
        string path = Path.Combine(_work.Scratch, "allowed-" + string.Join("-", holders));
        File.WriteAllLines(path, holders.Select(h => $"{h} namespaces=\"{TrustRootDocument.Namespace}\" {File.ReadAllText(_work.Pub(h)).Trim()}"));
        return path;
    }

    private static List<string> Blocks(string sigFile) =>
        [.. File.ReadAllText(sigFile).Split("-----BEGIN SSH SIGNATURE-----", StringSplitOptions.RemoveEmptyEntries).Select(b => "-----BEGIN SSH SIGNATURE-----" + b)];

    private bool SshKeygenVerifies(string document, string block, string allowedSigners, string principal, string @namespace = TrustRootDocument.Namespace)
    {
        string sig = Path.Combine(_work.Scratch, "block.sig");
        File.WriteAllText(sig, block);
        var result = ProcessRunner.Run("ssh-keygen", ["-Y", "verify", "-f", allowedSigners, "-I", principal, "-n", @namespace, "-s", sig], stdin: File.ReadAllText(document));
        return result.ExitCode == 0;
    }
}
