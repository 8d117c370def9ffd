using KeyAgentd.Cli;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>
/// What whoever can write a published copy, a copied-back --out or sign's DIR (and holds no key) can
/// plant there: `registry build`, `diff` and `sign` read only regular files of bounded size from the
/// directory itself, never through a symlink and never blocking on a FIFO; they refuse anything else by
/// name (exit 1, nothing written or signed), sign only the very bytes they checked, and a document that
/// is no registry document is an error, never an empty host.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HostileDirectoryTests
{
    private static readonly RegistrySigner Signer = RegistrySigner.Get("hostile-directory-signer");

    [Fact]
    public void A_fifo_named_like_a_document_is_refused_by_build_diff_and_sign_without_hanging()
    {
        using var source = SourceFixture.Standard();
        Assert.Equal(ExitCodes.Ok, ReadBackTests.Build(source, signKey: null, baseline: null, out _, out _));
        string document = source.DocumentPath("web-02");
        using var fifo = new PlantedFifo(document);
        var before = Contents(source.Output, skip: document);

        string stderr = "";
        Assert.Equal(ExitCodes.Failed, PlantedFifo.Run(() => ReadBackTests.Build(source, Signer.PrivateKeyPath, baseline: null, out _, out stderr)));
        Assert.Contains($"{document}: a FIFO, not a regular file", stderr, StringComparison.Ordinal);
        Assert.Equal(before, Contents(source.Output, skip: document));

        var diffError = new StringWriter();
        Assert.Equal(ExitCodes.Failed, PlantedFifo.Run(() => Diff(source.Output, source.Output, TextWriter.Null, diffError)));
        Assert.Contains($"{document}: a FIFO, not a regular file", diffError.ToString(), StringComparison.Ordinal);

        var signError = new StringWriter();
        Assert.Equal(ExitCodes.Failed, PlantedFifo.Run(() => BuiltOutput.Wait(() => Sign(source, signError))));
        Assert.Contains($"{document}: a FIFO, not a regular file", signError.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(source.Output, "*.sig"));
    }

    [Fact]
    public void A_fifo_named_like_a_signature_is_refused_by_sign_without_hanging()
    {
        using var source = SourceFixture.Standard();
        Assert.Equal(ExitCodes.Ok, ReadBackTests.Build(source, signKey: null, baseline: null, out _, out _));
        string signature = source.DocumentPath("web-01") + ".sig";
        using var fifo = new PlantedFifo(signature);
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Failed, PlantedFifo.Run(() => BuiltOutput.Wait(() => Sign(source, stderr))));
        Assert.Contains($"{signature}: a FIFO, not a regular file", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal([signature], Directory.GetFiles(source.Output, "*.sig"));
    }

    [Fact]
    public async Task A_symlinked_document_is_refused_and_the_file_it_points_to_is_never_signed()
    {
        using var source = SourceFixture.Standard();
        Assert.Equal(ExitCodes.Ok, ReadBackTests.Build(source, signKey: null, baseline: null, out _, out _));
        // A document outside DIR (an older build, another registry's tree), reached through a link in DIR.
        string elsewhere = Path.Combine(source.Scratch, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        string outside = Path.Combine(elsewhere, "web-01.json");
        File.Move(source.DocumentPath("web-01"), outside);
        File.CreateSymbolicLink(source.DocumentPath("web-01"), outside);

        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await Sign(source, stderr));
        Assert.Contains($"{source.DocumentPath("web-01")}: a symlink, not a regular file", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(source.Output, "*.sig"));
        Assert.Empty(Directory.GetFiles(elsewhere, "*.sig"));

        var diffError = new StringWriter();
        Assert.Equal(ExitCodes.Failed, Diff(elsewhere, source.Output, TextWriter.Null, diffError));
        Assert.Contains($"{source.DocumentPath("web-01")}: a symlink, not a regular file", diffError.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signature_symlinked_out_of_the_directory_is_refused_and_never_written_through()
    {
        using var source = SourceFixture.Standard();
        Assert.Equal(ExitCodes.Ok, ReadBackTests.Build(source, signKey: null, baseline: null, out _, out _));
        var victim = new VictimFile(source.Scratch);
        string signature = source.DocumentPath("web-01") + ".sig";
        File.CreateSymbolicLink(signature, victim.Path);

        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await Sign(source, stderr));
        Assert.True(stderr.ToString().Contains($"{signature}: a symlink, not a regular file", StringComparison.Ordinal), stderr.ToString());
        victim.AssertUntouched();
        Assert.True(File.ResolveLinkTarget(signature, returnFinalTarget: false) is not null);
    }

    [Fact]
    public void A_document_larger_than_any_build_writes_is_refused_by_name_without_being_read()
    {
        using var source = SourceFixture.Standard();
        Assert.Equal(ExitCodes.Ok, ReadBackTests.Build(source, signKey: null, baseline: null, out _, out _));
        string published = Path.Combine(source.Scratch, "published");
        ReadBackTests.CopyTree(source.Output, published);
        string huge = source.DocumentPath("web-02", published);
        using (var stream = File.OpenWrite(huge))
        {
            stream.SetLength(KeyAgentd.RegistrySource.DocumentFile.MaxDocumentBytes + 1L);
        }

        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Failed, Diff(published, source.Output, TextWriter.Null, stderr));
        Assert.Contains($"{huge}: larger than {KeyAgentd.RegistrySource.DocumentFile.MaxDocumentBytes} bytes", stderr.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "{ \"serial\": ")]
    [InlineData("a duplicate key", "{ \"serial\": 1, \"serial\": 2, ")]
    [InlineData("a serial past any integer", "{ \"serial\": 123456789012345678901234567890, ")]
    public void A_published_document_that_is_no_registry_document_is_an_error_naming_it_not_a_new_host(string what, string header)
    {
        using var source = SourceFixture.Standard();
        Assert.Equal(ExitCodes.Ok, ReadBackTests.Build(source, signKey: null, baseline: null, out _, out _));
        string published = Path.Combine(source.Scratch, "published");
        ReadBackTests.CopyTree(source.Output, published);
        string broken = source.DocumentPath("web-01", published);
        string text = File.ReadAllText(broken);
        File.WriteAllText(broken, header + text[(text.IndexOf('\n') + 1)..]);

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.Failed, Diff(published, source.Output, stdout, stderr));
        Assert.Contains($"{broken}: not a registry document a host would apply", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("gained", stdout.ToString(), StringComparison.Ordinal);

        // build --diff-against: refused before anything in --out changes.
        source.File("groups.yaml", "ops: [alice@example.com]\ndev: [carol@example.com]\n");
        var before = RegistryBuilderTests.Snapshot(source.Output);
        Assert.Equal(ExitCodes.Failed, ReadBackTests.Build(source, signKey: null, published, out _, out string buildError));
        Assert.True(buildError.Contains($"{broken}: not a registry document a host would apply", StringComparison.Ordinal), what + ": " + buildError);
        Assert.Equal(before, RegistryBuilderTests.Snapshot(source.Output));
    }

    [Fact]
    public void A_key_source_that_is_not_a_string_is_ignored_by_diff_not_a_crash()
    {
        using var source = SourceFixture.Standard();
        Assert.Equal(ExitCodes.Ok, ReadBackTests.Build(source, signKey: null, baseline: null, out _, out _));
        string published = Path.Combine(source.Scratch, "published");
        ReadBackTests.CopyTree(source.Output, published);
        string document = source.DocumentPath("web-01", published);
        File.WriteAllText(document, ReadBackTests.WithExtraKey(File.ReadAllText(document), "alice@example.com", SshKeygen.Generate("ed25519", comment: "old")).Replace(
            "{ \"key\": \"ssh-ed25519", "{ \"source\": 5, \"key\": \"ssh-ed25519", StringComparison.Ordinal));

        var stdout = new StringWriter();
        Assert.Equal(ExitCodes.Ok, Diff(published, source.Output, stdout, TextWriter.Null));
        Assert.Contains("1 lost", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_planted_staging_symlink_is_removed_as_a_link_and_nothing_it_points_to_is_touched()
    {
        using var source = SourceFixture.Standard();
        Assert.Equal(ExitCodes.Ok, ReadBackTests.Build(source, signKey: null, baseline: null, out _, out _));
        string target = Path.Combine(source.Scratch, "precious");
        Directory.CreateDirectory(target);
        var victim = new VictimFile(target);
        // What a crashed build leaves (DIR/.staging-PID) is removed by the next one; here it leads out of DIR.
        File.CreateSymbolicLink(Path.Combine(source.Output, ".staging-1"), target);
        File.CreateSymbolicLink(Path.Combine(source.Output, $".staging-{Environment.ProcessId}"), target);

        Assert.True(ReadBackTests.Build(source, signKey: null, baseline: null, out _, out string stderr) == ExitCodes.Ok, stderr);
        var signError = new StringWriter();
        Assert.True(await Sign(source, signError) == ExitCodes.Ok, signError.ToString());
        victim.AssertUntouched();
        Assert.Equal([victim.Path], Directory.GetFiles(target));
        Assert.Empty(Directory.GetFileSystemEntries(source.Output, ".staging-*"));
    }

    [Fact]
    public void Diff_prints_what_a_published_document_says_about_its_people_only_escaped()
    {
        using var source = SourceFixture.Standard();
        Assert.Equal(ExitCodes.Ok, ReadBackTests.Build(source, signKey: null, baseline: null, out _, out _));
        string published = Path.Combine(source.Scratch, "published");
        ReadBackTests.CopyTree(source.Output, published);
        string document = source.DocumentPath("web-01", published);
        // A person whose name, label and key source carry what a terminal acts on; the new build drops them.
        File.WriteAllText(document, File.ReadAllText(document).Replace("\"alice@example.com\"", "\"alice\\u001b]0;pwned\\u0007\\u009b2J@example.com\"", StringComparison.Ordinal)
            .Replace("\"label\": \"laptop\"", "\"label\": \"lap\\u001b[31mtop\\u2028\", \"source\": \"https://x/\\u001b[2J\"", StringComparison.Ordinal));
        Assert.Contains("]0;pwned", File.ReadAllText(document), StringComparison.Ordinal);
        Assert.Contains("[31mtop", File.ReadAllText(document), StringComparison.Ordinal);

        foreach (bool json in (bool[])[false, true])
        {
            int exit = 0;
            byte[] output = HostileText.Capture(w => exit = RegistryDiffCommand.Run(published, source.Output, new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now,
                new RemovalLimits(), json, w, TextWriter.Null));
            Assert.Equal(ExitCodes.Ok, exit);
            // The planted key source is printed (a person renamed in the published copy is no one a host grants), escaped.
            Assert.Contains("[2J", System.Text.Encoding.UTF8.GetString(output), StringComparison.Ordinal);
            HostileText.AssertInert(output);
        }
    }

    [Fact]
    public async Task Sign_with_source_cannot_be_walked_around_by_names_case_dot_files_or_orphan_signatures()
    {
        using var source = SourceFixture.Standard();
        Assert.Equal(ExitCodes.Ok, ReadBackTests.Build(source, signKey: null, baseline: null, out _, out _));
        byte[] web01 = File.ReadAllBytes(source.DocumentPath("web-01"));
        foreach (string extra in (string[])["_default", "WEB-01", "web-01\u200b", "web\u201101"])
        {
            File.WriteAllBytes(source.DocumentPath(extra), web01);
            var stderr = new StringWriter();
            Assert.Equal(ExitCodes.Failed, await SignAgainstSource(source, stderr));
            Assert.Contains($": {source.Root} does not build this document", stderr.ToString(), StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(source.Output, "*.sig"));
            File.Delete(source.DocumentPath(extra));
        }
        // A hidden document and a signature without a document are neither signed nor a way in: hosts fetch <host>.json only.
        File.WriteAllText(Path.Combine(source.Output, ".web-01.json"), ReadBackTests.WithExtraKey(File.ReadAllText(source.DocumentPath("web-01")), "alice@example.com", SshKeygen.Generate("ed25519", comment: "mallory@evil")));
        File.WriteAllText(Path.Combine(source.Output, "gone.json.sig"), "-----BEGIN SSH SIGNATURE-----\n");
        Assert.Equal(ExitCodes.Ok, await SignAgainstSource(source, TextWriter.Null));
        Assert.Equal(["dev-01.json.sig", "gone.json.sig", "web-01.json.sig", "web-02.json.sig"], Directory.GetFiles(source.Output, "*.sig").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(File.Exists(Path.Combine(source.Output, ".web-01.json.sig")));
    }

    private static Task<int> SignAgainstSource(SourceFixture source, TextWriter stderr) =>
        RegistrySignCommand.RunAsync(source.Output, Signer.PrivateKeyPath, agentSocket: null, TextWriter.Null, stderr,
            new RegistrySignCommand.Checks(Source: source.Root, Policy: new KeyPolicy(null, TimeZoneInfo.Utc)) { Now = SourceFixture.Now });

    /// <summary>Every file's bytes but the FIFO's (reading it would block).</summary>
    private static SortedDictionary<string, string> Contents(string directory, string skip) =>
        new(Directory.GetFiles(directory).Where(p => p != skip).ToDictionary(p => Path.GetFileName(p), File.ReadAllText), StringComparer.Ordinal);

    private static int Diff(string oldDir, string newDir, TextWriter stdout, TextWriter stderr) =>
        RegistryDiffCommand.Run(oldDir, newDir, new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now, new RemovalLimits(), json: false, stdout, stderr);

    private static Task<int> Sign(SourceFixture source, TextWriter stderr) =>
        RegistrySignCommand.RunAsync(source.Output, Signer.PrivateKeyPath, agentSocket: null, TextWriter.Null, stderr,
            new RegistrySignCommand.Checks(Policy: new KeyPolicy(null, TimeZoneInfo.Utc)) { Now = SourceFixture.Now });

}
