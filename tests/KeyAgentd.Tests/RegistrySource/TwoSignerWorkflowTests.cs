using System.Text;
using KeyAgentd.Cli;
using KeyAgentd.Core.Policy;
using KeyAgentd.RegistrySource;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using KeyAgentd.Tests.Sync;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>
/// README "The operator workflow" with two people: the first builds and signs (`registry build
/// --sign-key K1`), the second proves the documents are the reviewed source's build and adds their
/// signature (`registry sign DIR --key K2 --source SOURCE`), the tree is published, `ssh-keygen -Y verify`
/// accepts each signer's block and a host with Registry:SignatureThreshold 2 applies it. A first signer
/// who changes a document after building is refused by the second signer's --source.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TwoSignerWorkflowTests
{
    private static readonly RegistrySigner First = RegistrySigner.Get("workflow-first");
    private static readonly RegistrySigner Second = RegistrySigner.Get("workflow-second", "ecdsa", 256);
    private static readonly string[] Hosts = ["dev-01", "web-01", "web-02"];

    [NginxFact]
    public async Task Two_signers_publish_through_nginx_what_the_reviewed_source_builds()
    {
        using var source = SourceFixture.Standard();
        using var nginxDir = new TempDirectory();
        using var nginx = new NginxServer(nginxDir.Path);
        await BuildAndSign(source);
        Publish(source.Output, nginx.Root);

        using (var http = new HttpClient())
        {
            foreach (string host in Hosts)
            {
                byte[] document = await http.GetByteArrayAsync(nginx.Url(host + ".json"));
                byte[] signatures = await http.GetByteArrayAsync(nginx.Url(host + ".json.sig"));
                AssertBothSignersVerify(source, document, signatures);
            }
        }
        await AssertHostApplies(source, $"http://127.0.0.1:{nginx.Port}/{{hostname}}.json");
    }

    [Fact]
    public async Task Two_signers_publish_what_the_reviewed_source_builds()
    {
        using var source = SourceFixture.Standard();
        await BuildAndSign(source);
        string published = Path.Combine(source.Scratch, "published");
        Publish(source.Output, published);
        foreach (string host in Hosts)
        {
            string document = Path.Combine(published, host + ".json");
            AssertBothSignersVerify(source, File.ReadAllBytes(document), File.ReadAllBytes(document + ".sig"));
        }
        await AssertHostApplies(source, $"file://{published}/{{hostname}}.json");
    }

    [Fact]
    public async Task A_first_signer_who_changes_a_document_after_building_is_refused_by_the_second_signers_source()
    {
        using var source = SourceFixture.Standard();
        Assert.Equal(ExitCodes.Ok, BuiltOutput.Build(source, First.PrivateKeyPath, baseline: null, out _, out _));
        // The first signer builds a second tree from a private change (a key of their own for alice on
        // every host) and signs it: every document is self-consistent, build.content and all.
        string tampered = Path.Combine(source.Scratch, "tampered-source");
        CopySource(source.Root, tampered);
        File.AppendAllText(Path.Combine(tampered, "people", "alice@example.com.keys"), SshKeygen.Generate("ed25519", comment: "mallory@evil") + "\n");
        var settings = new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now) { StateDirectory = Path.Combine(source.Scratch, "state2") };
        Assert.Equal(ExitCodes.Ok, await RegistryBuildCommand.RunAsync(tampered, source.Output, settings, First.PrivateKeyPath, TextWriter.Null, TextWriter.Null));
        var before = BuiltOutput.Snapshot(source.Output);

        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await SecondSigns(source, stderr));
        string refused = stderr.ToString();
        foreach (string host in Hosts)
        {
            Assert.Contains($"{host}.json: it differs from what {source.Root} builds", refused, StringComparison.Ordinal);
        }
        Assert.Contains("3 document(s) refused; nothing was signed", refused, StringComparison.Ordinal);
        Assert.Equal(before, BuiltOutput.Snapshot(source.Output));

        // An extra document, and one the source builds left out, are refused the same way.
        File.Copy(source.DocumentPath("web-01"), source.DocumentPath("extra"));
        File.Delete(source.DocumentPath("dev-01"));
        File.Delete(source.DocumentPath("dev-01") + ".sig");
        stderr = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await SecondSigns(source, stderr));
        Assert.Contains($"extra.json: {source.Root} does not build this document", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains($"dev-01.json: {source.Root} builds this document and the directory does not hold it", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_first_signer_who_keeps_the_content_but_inflates_the_serial_is_refused_by_the_second_signers_source()
    {
        using var source = SourceFixture.Standard();
        Assert.Equal(ExitCodes.Ok, BuiltOutput.Build(source, signKey: null, baseline: null, out _, out _));
        string document = source.DocumentPath("web-02");
        long serial = BuiltOutput.Parse(source, "web-02").Serial;
        // A serial that would raise every host's rollback floor out of reach of honest builds.
        File.WriteAllText(document, File.ReadAllText(document).Replace($"\"serial\": {serial}", "\"serial\": 99999999999", StringComparison.Ordinal));
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await SecondSigns(source, stderr));
        Assert.Contains($"web-02.json: its content is what {source.Root} builds, but no build writes its header: serial 99999999999 is more than a year past now", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(source.Output, "*.sig"));
    }

    private static async Task BuildAndSign(SourceFixture source)
    {
        Assert.Equal(ExitCodes.Ok, BuiltOutput.Build(source, First.PrivateKeyPath, baseline: null, out _, out string stderr));
        Assert.Equal("", stderr);
        var signErrors = new StringWriter();
        var stdout = new StringWriter();
        Assert.True(await SecondSigns(source, signErrors, stdout) == ExitCodes.Ok, signErrors.ToString());
        Assert.Contains($"signed 3 document(s) by {Second.PrivateKeyPath}", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains($"each is, byte for byte, the build of {source.Root}", stdout.ToString(), StringComparison.Ordinal);
    }

    private static Task<int> SecondSigns(SourceFixture source, TextWriter stderr, TextWriter? stdout = null) =>
        RegistrySignCommand.RunAsync(source.Output, Second.PrivateKeyPath, agentSocket: null, stdout ?? TextWriter.Null, stderr,
            new RegistrySignCommand.Checks(AllowedSigners(source), source.Root, Policy: new KeyPolicy(null, TimeZoneInfo.Utc)) { Now = SourceFixture.Now });

    private static string AllowedSigners(SourceFixture source)
    {
        string path = Path.Combine(source.Scratch, "allowed_signers");
        File.WriteAllText(path, First.AllowedLine("first@example.com", "namespaces=\"keyagentd-registry\"") + "\n" +
            Second.AllowedLine("second@example.com", "namespaces=\"keyagentd-registry\"") + "\n");
        return path;
    }

    /// <summary>README step 5: the .sig files first, then the documents.</summary>
    private static void Publish(string output, string root)
    {
        Directory.CreateDirectory(root);
        foreach (string file in Directory.GetFiles(output, "*.sig").Concat(Directory.GetFiles(output, "*.json")))
        {
            File.Copy(file, Path.Combine(root, Path.GetFileName(file)), overwrite: true);
        }
    }

    /// <summary>ssh-keygen -Y verify reads the first block of a .sig: each signer's block is checked on its own, under its own principal.</summary>
    private static void AssertBothSignersVerify(SourceFixture source, byte[] document, byte[] signatures)
    {
        string[] blocks = Encoding.ASCII.GetString(signatures).Split("-----BEGIN SSH SIGNATURE-----", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, blocks.Length);
        foreach (var (block, principal) in blocks.Zip((string[])["first@example.com", "second@example.com"]))
        {
            string sig = Path.Combine(source.Scratch, principal + ".sig");
            File.WriteAllText(sig, "-----BEGIN SSH SIGNATURE-----" + block);
            var result = ProcessRunner.Run("ssh-keygen", ["-Y", "verify", "-f", AllowedSigners(source), "-I", principal, "-n", "keyagentd-registry", "-s", sig],
                stdin: Encoding.UTF8.GetString(document));
            Assert.True(result.ExitCode == 0, principal + ": " + result.Stdout + result.Stderr);
            Assert.Contains($"Good \"keyagentd-registry\" signature for {principal}", result.Stdout + result.Stderr, StringComparison.Ordinal);
        }
    }

    private static async Task AssertHostApplies(SourceFixture source, string url)
    {
        using var web = new EngineSandbox(["root", "deploy", "dev"], url, s =>
        {
            s.Host.Name = "web-01";
            s.Registry.AllowedSignersFile = AllowedSigners(source);
            s.Registry.SignatureThreshold = 2;
        });
        web.Time.Set(SourceFixture.Now.AddMinutes(5));
        var result = await web.SyncAsync();
        Assert.True(result.Outcome == SyncOutcome.Ok, SyncSummary.Render(result));
        string root = File.ReadAllText(web.KeysPath("root"));
        Assert.Contains("alice@laptop", root, StringComparison.Ordinal);
        Assert.Contains("bob@desk", root, StringComparison.Ordinal);
    }

    private static void CopySource(string from, string to)
    {
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
