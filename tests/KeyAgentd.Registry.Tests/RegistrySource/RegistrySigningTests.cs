using KeyAgentd.Cli;
using KeyAgentd.Core.Policy;
using KeyAgentd.RegistrySource;
using KeyAgentd.RegistrySource.Signing;
using KeyAgentd.Tests.Support;
using KeyAgentd.Trust.Policy;
using KeyAgentd.Trust.Signatures;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>SSHSIG signatures from `registry build --sign-key` and `registry sign`, checked by ssh-keygen -Y verify and by the daemon's trust code.</summary>
[Trait("Category", "Integration")]
public sealed class RegistrySigningTests
{
    [Fact]
    public void A_key_file_signs_every_document_and_both_verifiers_agree()
    {
        using var source = SourceFixture.Standard();
        string key = SshKeygen.GeneratePrivate(source.Scratch, "signer", comment: "registry");
        var result = new RegistryBuilder(new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now)).Build(source.Read(), source.Output, new SshKeygenSigner(key));
        Assert.Equal(3, result.New.Count);
        string allowed = AllowedSigners(source, ("registry@example.com", key + ".pub"));
        foreach (string host in (string[])["web-01", "web-02", "dev-01"])
        {
            AssertSshKeygenVerifies(source.DocumentPath(host), allowed, "registry@example.com");
            Assert.True(Trust(allowed, 1).Verify(File.ReadAllBytes(source.DocumentPath(host)), File.ReadAllBytes(source.DocumentPath(host) + ".sig"), SourceFixture.Now).IsAccepted);
        }
        Assert.Empty(Directory.GetDirectories(source.Output));
    }

    [Theory]
    [InlineData("ed25519", 0)]
    [InlineData("ecdsa", 384)]
    [InlineData("rsa", 3072)]
    public async Task Ssh_agent_signs_in_process_and_a_second_signer_is_appended(string type, int bits)
    {
        using var source = SourceFixture.Standard();
        string first = SshKeygen.GeneratePrivate(source.Scratch, "first", comment: "first");
        string second = SshKeygen.GeneratePrivate(source.Scratch, "second", type, bits, "second");
        using var agent = new SshAgentProcess(source.Scratch);
        agent.Add(second);
        new RegistryBuilder(new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now)).Build(source.Read(), source.Output, new SshKeygenSigner(first));

        using (var signer = SignerFactory.Open(second + ".pub", agent.Socket) as IDisposable)
        {
            Assert.IsType<AgentSigner>(signer);
        }
        string allowed = AllowedSigners(source, ("first@example.com", first + ".pub"), ("second@example.com", second + ".pub"));
        var checks = new RegistrySignCommand.Checks(allowed) { Now = SourceFixture.Now };
        var stdout = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await RegistrySignCommand.RunAsync(source.Output, second + ".pub", agent.Socket, stdout, TextWriter.Null, checks));
        Assert.Contains("ssh-agent", stdout.ToString(), StringComparison.Ordinal);
        // Signing again replaces this signer's block rather than adding a duplicate.
        Assert.Equal(ExitCodes.Ok, await RegistrySignCommand.RunAsync(source.Output, second + ".pub", agent.Socket, TextWriter.Null, TextWriter.Null, checks));

        string document = source.DocumentPath("web-01");
        string signatures = File.ReadAllText(document + ".sig");
        Assert.Equal(2, signatures.Split("-----BEGIN SSH SIGNATURE-----").Length - 1);
        var decision = Trust(allowed, 2).Verify(File.ReadAllBytes(document), File.ReadAllBytes(document + ".sig"), SourceFixture.Now);
        Assert.True(decision.IsAccepted, decision.Detail);
        Assert.Equal(2, decision.DistinctValidSigners);
        // ssh-keygen reads the first block of a file: cut out the agent's (second) block and ask it too.
        string secondBlock = "-----BEGIN SSH SIGNATURE-----" + signatures.Split("-----BEGIN SSH SIGNATURE-----")[2];
        File.WriteAllText(Path.Combine(source.Scratch, "second.sig"), secondBlock);
        AssertSshKeygenVerifies(document, allowed, "second@example.com", Path.Combine(source.Scratch, "second.sig"));
    }

    /// <summary>
    /// More documents than the pipeline window: every request is answered in order, so each signature
    /// belongs to its own document (checked in process for all, by ssh-keygen for the edges of a window).
    /// </summary>
    [Fact]
    public void Pipelined_agent_requests_give_each_document_its_own_signature()
    {
        using var source = SourceFixture.Standard();
        string key = SshKeygen.GeneratePrivate(source.Scratch, "signer", comment: "registry");
        using var agent = new SshAgentProcess(source.Scratch);
        agent.Add(key);
        int count = 2 * SshAgentClient.PipelineWindow + 3;
        var paths = Enumerable.Range(0, count).Select(i =>
        {
            string path = Path.Combine(source.Scratch, $"doc-{i:D3}.json");
            File.WriteAllText(path, $"{{\"document\": {i}}}\n");
            return path;
        }).ToList();

        IReadOnlyList<string> blocks;
        using (var signer = (AgentSigner)SignerFactory.Open(key + ".pub", agent.Socket))
        {
            blocks = signer.Sign(paths);
        }

        Assert.Equal(count, blocks.Count);
        for (int i = 0; i < count; i++)
        {
            var parsed = Assert.Single(SshSignatureParser.ParseFile(System.Text.Encoding.ASCII.GetBytes(blocks[i])));
            var check = SshSignatureVerifier.Verify(parsed.Signature!, File.ReadAllBytes(paths[i]), new SignatureVerifyOptions());
            Assert.True(check.IsValid, $"document {i}: {check.Error}");
        }
        string allowed = AllowedSigners(source, ("registry@example.com", key + ".pub"));
        foreach (int i in (int[])[0, SshAgentClient.PipelineWindow - 1, SshAgentClient.PipelineWindow, count - 1])
        {
            File.WriteAllText(paths[i] + ".sig", blocks[i]);
            AssertSshKeygenVerifies(paths[i], allowed, "registry@example.com");
        }
    }

    /// <summary>
    /// A build signs beside its rendering: each document hashed as it is staged, the agent's requests sent
    /// while the next is rendered, the in-process key signing on another thread. Ed25519 is deterministic,
    /// so every .sig must be byte for byte the one ssh-keygen writes for the same document.
    /// </summary>
    [Fact]
    public void A_build_signed_while_it_renders_writes_the_blocks_ssh_keygen_writes()
    {
        using var source = SourceFixture.Standard();
        int hosts = 2 * SshAgentClient.PipelineWindow + 5;
        source.File("hosts.yaml", string.Concat(Enumerable.Range(0, hosts).Select(i => $"web-{i:D3}: {{ env: {(i % 3 == 0 ? "dev" : "prod")}, role: web }}\n")));
        string key = SshKeygen.GeneratePrivate(source.Scratch, "signer", comment: "registry");
        using var agent = new SshAgentProcess(source.Scratch);
        agent.Add(key);
        var settings = new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now) { DefaultDocument = true };
        string oracle = Path.Combine(source.Scratch, "by-ssh-keygen");
        new RegistryBuilder(settings).Build(source.Read(), oracle, new SshKeygenSigner(key));
        foreach (var (name, signer) in (ValueTuple<string, IDocumentSigner>[])[("agent", SignerFactory.Open(key + ".pub", agent.Socket)), ("file", SignerFactory.Open(key, null))])
        {
            string output = Path.Combine(source.Scratch, name);
            var result = new RegistryBuilder(settings).Build(source.Read(), output, signer);
            (signer as IDisposable)?.Dispose();
            Assert.Equal(hosts + 1, result.New.Count);
            Assert.Equal(hosts + 1, result.Timings!.SignedDocuments);
            Assert.Equal(RegistryBuilderTests.Snapshot(oracle), RegistryBuilderTests.Snapshot(output));
            Assert.Equal(2 * (hosts + 1), Directory.GetFiles(output).Length);
        }
        string allowed = AllowedSigners(source, ("registry@example.com", key + ".pub"));
        AssertSshKeygenVerifies(Path.Combine(source.Scratch, "agent", "web-000.json"), allowed, "registry@example.com");
    }

    [Fact]
    public void A_signed_rebuild_of_an_unsigned_tree_signs_the_documents_where_they_stand()
    {
        using var source = SourceFixture.Standard();
        string key = SshKeygen.GeneratePrivate(source.Scratch, "signer", comment: "registry");
        new RegistryBuilder(new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now)).Build(source.Read(), source.Output, signer: null);
        var before = RegistryBuilderTests.Snapshot(source.Output);
        var result = new RegistryBuilder(new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now)).Build(source.Read(), source.Output, new SshKeygenSigner(key));
        Assert.Equal(3, result.Unchanged);
        var after = RegistryBuilderTests.Snapshot(source.Output);
        Assert.All(before, b => Assert.Equal(b.Value, after[b.Key]));
        string allowed = AllowedSigners(source, ("registry@example.com", key + ".pub"));
        AssertSshKeygenVerifies(source.DocumentPath("web-01"), allowed, "registry@example.com");
        Assert.Empty(Directory.GetDirectories(source.Output));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("another key's signature")]
    [InlineData("a signature over other bytes")]
    public void A_signature_beside_an_unchanged_document_counts_only_when_it_verifies_and_is_otherwise_signed_again(string tampered)
    {
        // Whoever can write the output directory replaces a .sig: the next build must not take its existence for a signature.
        using var source = SourceFixture.Standard();
        string key = SshKeygen.GeneratePrivate(source.Scratch, "signer", comment: "registry");
        string other = SshKeygen.GeneratePrivate(source.Scratch, "other", comment: "other");
        var settings = new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now);
        new RegistryBuilder(settings).Build(source.Read(), source.Output, new SshKeygenSigner(key));
        string document = source.DocumentPath("web-01");
        string signature = document + ".sig";
        switch (tampered)
        {
            case "garbage":
                File.WriteAllText(signature, "-----BEGIN SSH SIGNATURE-----\nnot a signature\n-----END SSH SIGNATURE-----\n");
                break;
            case "another key's signature":
                File.Copy(SignedCopy(source, other, File.ReadAllBytes(document)), signature, overwrite: true);
                break;
            default:
                File.Copy(SignedCopy(source, key, [.. File.ReadAllBytes(document), (byte)' ']), signature, overwrite: true);
                break;
        }

        var result = new RegistryBuilder(settings).Build(source.Read(), source.Output, new SshKeygenSigner(key));

        Assert.Equal(3, result.Unchanged);
        AssertSshKeygenVerifies(document, AllowedSigners(source, ("registry@example.com", key + ".pub")), "registry@example.com");
    }

    /// <summary>A .sig made by ssh-keygen with <paramref name="key"/> over <paramref name="bytes"/>, in a scratch file.</summary>
    private static string SignedCopy(SourceFixture source, string key, byte[] bytes)
    {
        string path = Path.Combine(source.Scratch, $"copy-{Guid.NewGuid():N}.json");
        File.WriteAllBytes(path, bytes);
        var signed = new SshKeygenSigner(key).Sign([path]);
        File.WriteAllText(path + ".sig", signed[0]);
        return path + ".sig";
    }

    [Fact]
    public void A_public_key_the_agent_does_not_hold_is_refused()
    {
        using var source = SourceFixture.Standard();
        string key = SshKeygen.GeneratePrivate(source.Scratch, "absent");
        using var agent = new SshAgentProcess(source.Scratch);
        var error = Assert.Throws<IOException>(() => SignerFactory.Open(key + ".pub", agent.Socket));
        Assert.Contains("ssh-add", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_refuses_a_signature_that_does_not_verify_against_allowed_signers_and_signs_nothing()
    {
        using var source = SourceFixture.Standard();
        string first = SshKeygen.GeneratePrivate(source.Scratch, "first");
        string second = SshKeygen.GeneratePrivate(source.Scratch, "second");
        new RegistryBuilder(new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now)).Build(source.Read(), source.Output, new SshKeygenSigner(first));
        string onlySecond = AllowedSigners(source, ("second@example.com", second + ".pub"));
        var before = RegistryBuilderTests.Snapshot(source.Output);
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await RegistrySignCommand.RunAsync(source.Output, second, agentSocket: null, TextWriter.Null, stderr, new RegistrySignCommand.Checks(onlySecond) { Now = SourceFixture.Now }));
        Assert.Contains("web-01.json: a signature it carries does not verify against", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("signature 1: signer-unknown", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, RegistryBuilderTests.Snapshot(source.Output));

        // A block over other bytes (web-02's signature beside web-01) from a trusted signer is refused too, not dropped.
        string both = AllowedSigners(source, ("first@example.com", first + ".pub"), ("second@example.com", second + ".pub"));
        File.Copy(source.DocumentPath("web-02") + ".sig", source.DocumentPath("web-01") + ".sig", overwrite: true);
        before = RegistryBuilderTests.Snapshot(source.Output);
        stderr = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await RegistrySignCommand.RunAsync(source.Output, second, agentSocket: null, TextWriter.Null, stderr, new RegistrySignCommand.Checks(both) { Now = SourceFixture.Now }));
        Assert.Contains("web-01.json: a signature it carries does not verify against", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("signature-invalid", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, RegistryBuilderTests.Snapshot(source.Output));
    }

    [Fact]
    public async Task Sign_refuses_documents_that_already_carry_signatures_it_has_no_allowed_signers_to_check()
    {
        using var source = SourceFixture.Standard();
        string first = SshKeygen.GeneratePrivate(source.Scratch, "first");
        string second = SshKeygen.GeneratePrivate(source.Scratch, "second");
        new RegistryBuilder(new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now)).Build(source.Read(), source.Output, new SshKeygenSigner(first));
        var before = RegistryBuilderTests.Snapshot(source.Output);
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await RegistrySignCommand.RunAsync(source.Output, second, agentSocket: null, TextWriter.Null, stderr));
        Assert.Contains("dev-01.json: it already carries 1 signature(s) and no --allowed-signers was given to check them", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, RegistryBuilderTests.Snapshot(source.Output));
    }

    [Fact]
    public async Task Sign_refuses_a_document_whose_body_no_longer_matches_its_header_and_signs_nothing()
    {
        using var source = SourceFixture.Standard();
        string key = SshKeygen.GeneratePrivate(source.Scratch, "signer");
        new RegistryBuilder(new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now)).Build(source.Read(), source.Output, signer: null);
        string document = source.DocumentPath("web-01");
        File.WriteAllText(document, ReadBackTests.WithExtraKey(File.ReadAllText(document), "bob@example.com", SshKeygen.Generate("ed25519", comment: "mallory@evil")));
        var before = RegistryBuilderTests.Snapshot(source.Output);
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await RegistrySignCommand.RunAsync(source.Output, key, agentSocket: null, TextWriter.Null, stderr));
        Assert.Contains("web-01.json: its body does not match the content digest in its header (build.content)", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("nothing was signed", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, RegistryBuilderTests.Snapshot(source.Output));
        Assert.Empty(Directory.GetFiles(source.Output, "*.sig"));
    }

    /// <summary>The README's check (`ssh-keygen -Y verify … -I PRINCIPAL`) reads only the first block: re-signing keeps a trusted block there.</summary>
    [Fact]
    public async Task Re_signing_keeps_the_first_trusted_block_first_so_ssh_keygen_still_verifies_it()
    {
        using var source = SourceFixture.Standard();
        string release = SshKeygen.GeneratePrivate(source.Scratch, "release");
        string second = SshKeygen.GeneratePrivate(source.Scratch, "second");
        new RegistryBuilder(new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now)).Build(source.Read(), source.Output, new SshKeygenSigner(release));
        string allowed = AllowedSigners(source, ("release@example.com", release + ".pub"), ("second@example.com", second + ".pub"));
        var checks = new RegistrySignCommand.Checks(allowed) { Now = SourceFixture.Now };
        Assert.Equal(ExitCodes.Ok, await RegistrySignCommand.RunAsync(source.Output, second, agentSocket: null, TextWriter.Null, TextWriter.Null, checks));

        Assert.Equal(ExitCodes.Ok, await RegistrySignCommand.RunAsync(source.Output, release, agentSocket: null, TextWriter.Null, TextWriter.Null, checks));

        foreach (string host in (string[])["web-01", "web-02", "dev-01"])
        {
            string document = source.DocumentPath(host);
            AssertSshKeygenVerifies(document, allowed, "release@example.com");
            var decision = Trust(allowed, 2).Verify(File.ReadAllBytes(document), File.ReadAllBytes(document + ".sig"), SourceFixture.Now);
            Assert.True(decision.IsAccepted, decision.Detail);
        }
    }

    [Fact]
    public async Task A_signer_outside_allowed_signers_is_placed_after_the_trusted_blocks()
    {
        using var source = SourceFixture.Standard();
        string release = SshKeygen.GeneratePrivate(source.Scratch, "release");
        string outsider = SshKeygen.GeneratePrivate(source.Scratch, "outsider");
        new RegistryBuilder(new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now)).Build(source.Read(), source.Output, new SshKeygenSigner(release));
        string allowed = AllowedSigners(source, ("release@example.com", release + ".pub"));

        Assert.Equal(ExitCodes.Ok, await RegistrySignCommand.RunAsync(source.Output, outsider, agentSocket: null, TextWriter.Null, TextWriter.Null,
            new RegistrySignCommand.Checks(allowed) { Now = SourceFixture.Now }));

        string document = source.DocumentPath("web-01");
        Assert.Equal(2, File.ReadAllText(document + ".sig").Split("-----BEGIN SSH SIGNATURE-----").Length - 1);
        AssertSshKeygenVerifies(document, allowed, "release@example.com");
        Assert.True(Trust(allowed, 1).Verify(File.ReadAllBytes(document), File.ReadAllBytes(document + ".sig"), SourceFixture.Now).IsAccepted);
    }

    /// <summary>The first-day mistake: built and signed with the wrong key, then signed with the right one.</summary>
    [Fact]
    public async Task Drop_invalid_drops_the_blocks_that_do_not_verify_and_ssh_keygen_agrees_with_keyagentd()
    {
        using var source = SourceFixture.Standard();
        string wrong = SshKeygen.GeneratePrivate(source.Scratch, "wrong");
        string release = SshKeygen.GeneratePrivate(source.Scratch, "release");
        new RegistryBuilder(new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now)).Build(source.Read(), source.Output, new SshKeygenSigner(wrong));
        string allowed = AllowedSigners(source, ("release@example.com", release + ".pub"));
        // A block over other bytes (web-02's beside web-01) does not verify either.
        File.Copy(source.DocumentPath("web-02") + ".sig", source.DocumentPath("web-01") + ".sig", overwrite: true);
        string config = Path.Combine(source.Scratch, "keyagentd.json");
        File.WriteAllText(config, "{}");
        PathSyscalls.Chmod(config, 0x1A4);
        var before = RegistryBuilderTests.Snapshot(source.Output);

        // Without --drop-invalid, issue 19's rule stands: refused, nothing signed.
        Assert.Equal(ExitCodes.Failed, await RegistryToolCli.Build().Parse(["--policy", config, "sign", source.Output, "--key", release, "--allowed-signers", allowed]).InvokeAsync());
        Assert.Equal(before, RegistryBuilderTests.Snapshot(source.Output));

        Assert.Equal(ExitCodes.Ok, await RegistryToolCli.Build().Parse(["--policy", config, "sign", source.Output, "--key", release, "--allowed-signers", allowed, "--drop-invalid"]).InvokeAsync());

        foreach (string host in (string[])["web-01", "web-02", "dev-01"])
        {
            string document = source.DocumentPath(host);
            Assert.Equal(1, File.ReadAllText(document + ".sig").Split("-----BEGIN SSH SIGNATURE-----").Length - 1);
            AssertSshKeygenVerifies(document, allowed, "release@example.com");
            Assert.True(Trust(allowed, 1).Verify(File.ReadAllBytes(document), File.ReadAllBytes(document + ".sig"), SourceFixture.Now).IsAccepted);
        }
    }

    [Fact]
    public async Task Drop_invalid_names_each_dropped_block()
    {
        using var source = SourceFixture.Standard();
        string wrong = SshKeygen.GeneratePrivate(source.Scratch, "wrong");
        string release = SshKeygen.GeneratePrivate(source.Scratch, "release");
        new RegistryBuilder(new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now)).Build(source.Read(), source.Output, new SshKeygenSigner(wrong));
        string allowed = AllowedSigners(source, ("release@example.com", release + ".pub"));
        var stderr = new StringWriter();

        Assert.Equal(ExitCodes.Ok, await RegistrySignCommand.RunAsync(source.Output, release, agentSocket: null, TextWriter.Null, stderr,
            new RegistrySignCommand.Checks(allowed, DropInvalid: true) { Now = SourceFixture.Now }));

        Assert.Contains("web-01.json: dropping signature 1: signer-unknown", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(3, stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    private static string AllowedSigners(SourceFixture source, params (string Principal, string PublicKey)[] signers)
    {
        string path = Path.Combine(source.Scratch, "allowed_signers");
        File.WriteAllLines(path, signers.Select(s => $"{s.Principal} namespaces=\"keyagentd-registry\" {File.ReadAllText(s.PublicKey).Trim()}"));
        return path;
    }

    private static RegistryTrust Trust(string allowedSigners, int threshold) =>
        RegistryTrust.Parse(File.ReadAllText(allowedSigners), null, TimeZoneInfo.Utc, new SignaturePolicyOptions { Threshold = threshold });

    private static void AssertSshKeygenVerifies(string document, string allowedSigners, string principal, string? signature = null)
    {
        var result = ProcessRunner.Run("ssh-keygen", ["-Y", "verify", "-f", allowedSigners, "-I", principal, "-n", "keyagentd-registry", "-s", signature ?? document + ".sig"],
            stdin: File.ReadAllText(document));
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
    }
}
