using KeyAgentd.Cli;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Policy;
using KeyAgentd.RegistrySource;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>
/// Nothing `registry build` reads back from --out or a published copy is trusted: a document is
/// unchanged only when the source renders exactly its bytes, a serial read back is bounded, and a
/// directory that cannot be read is an error, never an empty previous build.
/// </summary>
public sealed class ReadBackTests
{
    private static readonly string Attacker = SshKeygen.Generate("ed25519", comment: "mallory@evil");

    [Fact]
    public void A_published_document_tampered_without_the_key_is_rebuilt_resigned_and_its_extra_key_shown_as_lost()
    {
        using var source = SourceFixture.Standard();
        var signer = RegistrySigner.Get("read-back-signer");
        Assert.Equal(ExitCodes.Ok, Build(source, signer.PrivateKeyPath, baseline: null, out _, out _));
        string published = Path.Combine(source.Scratch, "published");
        CopyTree(source.Output, published);
        long serial = RegistryBuilderTests.Parse(source, "web-01").Serial;

        // Write access to the published copy only: a key for alice, the header kept, the signature gone.
        string document = Path.Combine(published, "web-01.json");
        File.WriteAllText(document, WithExtraKey(File.ReadAllText(document), "alice@example.com", Attacker));
        File.Delete(document + ".sig");
        // The README's step 3: the published side is copied back into out/ before building.
        CopyTree(published, source.Output);

        Assert.Equal(ExitCodes.Ok, Build(source, signer.PrivateKeyPath, published, out string stdout, out string stderr));
        Assert.Contains("0 new, 1 changed, 0 re-issued, 2 unchanged", stdout, StringComparison.Ordinal);
        Assert.Contains($"  - root: alice@example.com {Fingerprint(Attacker)} ssh-ed25519", stdout, StringComparison.Ordinal);
        Assert.Contains("1 changed, 0 new, 0 removed, 2 unchanged document(s); 0 access(es) gained, 1 lost", stdout, StringComparison.Ordinal);
        string rebuilt = File.ReadAllText(source.DocumentPath("web-01"));
        Assert.DoesNotContain(Attacker, rebuilt, StringComparison.Ordinal);
        Assert.True(RegistryBuilderTests.Parse(source, "web-01").Serial > serial);
        string allowed = Path.Combine(source.Scratch, "allowed_signers");
        File.WriteAllText(allowed, signer.AllowedLine("registry@example.com") + "\n");
        var verify = ProcessRunner.Run("ssh-keygen", ["-Y", "verify", "-f", allowed, "-I", "registry@example.com", "-n", "keyagentd-registry", "-s", source.DocumentPath("web-01") + ".sig"],
            stdin: rebuilt);
        Assert.True(verify.ExitCode == 0, verify.Stdout + verify.Stderr + stderr);
    }

    [Fact]
    public void A_header_edited_in_place_is_not_unchanged_and_its_serial_is_not_trusted_beyond_a_year()
    {
        using var source = SourceFixture.Standard();
        Assert.Equal(ExitCodes.Ok, Build(source, signKey: null, baseline: null, out _, out _));
        string web02 = source.DocumentPath("web-02");
        long serial = RegistryBuilderTests.Parse(source, "web-02").Serial;
        File.WriteAllText(web02, File.ReadAllText(web02).Replace($"\"serial\": {serial}", "\"serial\": 99999999999", StringComparison.Ordinal));

        Assert.Equal(ExitCodes.Failed, Build(source, signKey: null, baseline: null, out _, out string stderr));
        Assert.Contains("web-02.json: serial 99999999999 is more than a year past the build time", stderr, StringComparison.Ordinal);
        Assert.Contains("99999999999", File.ReadAllText(web02), StringComparison.Ordinal);

        // A header edit that keeps the serial plausible (expiry pushed out) is simply rebuilt.
        File.WriteAllText(web02, File.ReadAllText(web02).Replace("\"serial\": 99999999999", $"\"serial\": {serial}", StringComparison.Ordinal)
            .Replace("\"expires_at\": \"2026-12-07T12:00:00Z\"", "\"expires_at\": \"2026-12-29T12:00:00Z\"", StringComparison.Ordinal));
        Assert.Equal(ExitCodes.Ok, Build(source, signKey: null, baseline: null, out string stdout, out _));
        Assert.Contains("0 new, 1 changed, 0 re-issued, 2 unchanged", stdout, StringComparison.Ordinal);
        Assert.Equal(SourceFixture.Now.AddDays(7), RegistryBuilderTests.Parse(source, "web-02").ExpiresAt);
    }

    [Fact]
    public void A_missing_diff_against_directory_is_an_error_not_an_empty_published_tree()
    {
        using var source = SourceFixture.Standard();
        Assert.Equal(ExitCodes.Ok, Build(source, signKey: null, baseline: null, out _, out _));
        var before = RegistryBuilderTests.Snapshot(source.Output);
        source.File("groups.yaml", "ops: [alice@example.com]\ndev: [carol@example.com]\n");
        string mistyped = Path.Combine(source.Scratch, "pubished");

        Assert.Equal(ExitCodes.Failed, Build(source, signKey: null, mistyped, out _, out string stderr));
        Assert.Contains($"{mistyped}: no such directory", stderr, StringComparison.Ordinal);
        Assert.Equal(before, RegistryBuilderTests.Snapshot(source.Output));

        var diffError = new StringWriter();
        Assert.Equal(ExitCodes.Failed, RegistryDiffCommand.Run(mistyped, source.Output, new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now,
            new KeyAgentd.Core.Planning.RemovalLimits(), json: false, TextWriter.Null, diffError));
        Assert.Contains($"{mistyped}: no such directory", diffError.ToString(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failed, RegistryDiffCommand.Run(source.Output, mistyped, new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now,
            new KeyAgentd.Core.Planning.RemovalLimits(), json: false, TextWriter.Null, TextWriter.Null));
    }

    [Fact]
    public void An_out_that_is_not_a_readable_directory_is_an_error_and_a_missing_one_is_the_first_build()
    {
        using var source = SourceFixture.Standard();
        File.WriteAllText(source.Output, "not a directory");
        Assert.Equal(ExitCodes.Failed, Build(source, signKey: null, baseline: null, out _, out string stderr));
        Assert.Contains($"{source.Output}: not a directory", stderr, StringComparison.Ordinal);
        File.Delete(source.Output);

        Assert.Equal(ExitCodes.Ok, Build(source, signKey: null, baseline: null, out string stdout, out _));
        Assert.Contains("3 new, 0 changed", stdout, StringComparison.Ordinal);
    }

    internal static int Build(SourceFixture source, string? signKey, string? baseline, out string stdout, out string stderr) =>
        BuiltOutput.Build(source, signKey, baseline, out stdout, out stderr);

    /// <summary>A key added to a person's list in a built document, as someone editing the JSON by hand would.</summary>
    internal static string WithExtraKey(string document, string person, string key)
    {
        int at = document.IndexOf($"\"{person}\": {{", StringComparison.Ordinal);
        int keys = document.IndexOf("\"keys\": [", at, StringComparison.Ordinal) + "\"keys\": [".Length;
        return document.Insert(keys, $"\n        {{ \"key\": \"{key}\" }},");
    }

    /// <summary>rsync -a --delete FROM/ TO/.</summary>
    internal static void CopyTree(string from, string to)
    {
        if (Directory.Exists(to))
        {
            Directory.Delete(to, recursive: true);
        }
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static string Fingerprint(string line) => AuthorizedKeyLineParser.Parse(line).Key!.Sha256Fingerprint;
}
