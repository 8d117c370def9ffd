using System.Text.Json;
using KeyAgentd.Cli;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using Microsoft.Extensions.Logging;
using static KeyAgentd.Tests.Sync.SignedSandbox;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// A refused signature says what an operator needs to act, in the cycle's warning line and in
/// `status` (status.json and the text): the unknown signer's fingerprint, the allowed_signers line
/// that does not parse (file:line and what is wrong) instead of "not in allowed_signers", and for a
/// document and signature that do not match, to re-sign the document as published and publish both.
/// </summary>
public class SignatureRefusalReportTests
{
    /// <summary>The warning of the refused cycle, status.json's last_registry_error, and `keyagentd status`'s text.</summary>
    private static async Task<(string Code, string Warning, string StatusJson, string StatusText)> RefusedAsync(SignedSandbox sandbox, Action publish)
    {
        await SignedRegistryRefusalTests.AppliedAsync(sandbox);
        publish();
        int logged = sandbox.Box.Logs.Entries.Count;

        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.Outcome == SyncOutcome.RegistryUnusable, SyncSummary.Render(result));
        var warnings = sandbox.Box.Logs.Entries.Skip(logged)
            .Where(e => e.Level == LogLevel.Warning && e.Message.StartsWith("registry ", StringComparison.Ordinal)).ToList();
        Assert.Single(warnings);
        var json = new StringWriter();
        StatusCommand.Run(sandbox.Box.State, true, sandbox.Box.Time.GetUtcNow(), json);
        var text = new StringWriter();
        StatusCommand.Run(sandbox.Box.State, false, sandbox.Box.Time.GetUtcNow(), text);
        string statusError = JsonDocument.Parse(json.ToString()).RootElement.GetProperty("last_registry_error").GetString() ?? "";
        return (result.RegistryProblem!.Code, warnings[0].Message, statusError, text.ToString());
    }

    private static void AssertEverywhere(string expected, (string Code, string Warning, string StatusJson, string StatusText) report)
    {
        Assert.Contains(expected, report.Warning, StringComparison.Ordinal);
        Assert.Contains(expected, report.StatusJson, StringComparison.Ordinal);
        Assert.Contains(expected, report.StatusText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_signer_is_named_by_its_fingerprint()
    {
        using var sandbox = new SignedSandbox();
        string doc = Doc(3);

        var report = await RefusedAsync(sandbox, () => sandbox.PublishSigned(doc, Stranger));

        Assert.Equal("signer-unknown", report.Code);
        AssertEverywhere(Stranger.Fingerprint, report);
        AssertEverywhere("Registry:AllowedSignersFile", report);
    }

    /// <summary>The release signer's own line, broken three ways an operator breaks it.</summary>
    public static TheoryData<string, string, string> BrokenLines => new()
    {
        { "typo in namespaces=", Release.AllowedLine("release@example.com", "namepaces=\"keyagentd-registry\""), "unknown signature option" },
        { "unquoted value", Release.AllowedLine("release@example.com", "namespaces=keyagentd-registry"), "option value must be quoted" },
        { "valid-before in the past tense", Release.AllowedLine("release@example.com", "valid-before=\"2030-01-01\""), "invalid \"valid-before\" time" },
    };

    [Theory]
    [MemberData(nameof(BrokenLines))]
    public async Task A_malformed_line_of_the_signer_is_its_own_reason_with_file_and_line(string _, string brokenLine, string what)
    {
        using var sandbox = new SignedSandbox();
        string doc = Doc(3);

        var report = await RefusedAsync(sandbox, () =>
        {
            File.WriteAllText(sandbox.AllowedSignersPath, SignedSandbox.AllowedSigners.Replace(
                Release.AllowedLine("release@example.com", "namespaces=\"keyagentd-registry\""), brokenLine, StringComparison.Ordinal));
            sandbox.PublishSigned(doc, Release);
        });

        Assert.Equal("signer-line-invalid", report.Code);
        AssertEverywhere($"{sandbox.AllowedSignersPath}:1", report);
        AssertEverywhere(what, report);
        AssertEverywhere(Release.Fingerprint, report);
        Assert.DoesNotContain("not in allowed_signers", report.Warning, StringComparison.Ordinal);
        Assert.DoesNotContain("not in allowed_signers", report.StatusJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signer_line_with_a_broken_key_is_named_beside_the_unknown_signer()
    {
        using var sandbox = new SignedSandbox();
        string doc = Doc(3);
        string releaseLine = Release.AllowedLine("release@example.com", "namespaces=\"keyagentd-registry\"");
        // One base64 character dropped: the key no longer decodes, so no line names this signer.
        string broken = releaseLine.Remove(releaseLine.Length - 5, 1);

        var report = await RefusedAsync(sandbox, () =>
        {
            File.WriteAllText(sandbox.AllowedSignersPath, SignedSandbox.AllowedSigners.Replace(releaseLine, broken, StringComparison.Ordinal));
            sandbox.PublishSigned(doc, Release);
        });

        Assert.Equal("signer-unknown", report.Code);
        AssertEverywhere(Release.Fingerprint, report);
        AssertEverywhere($"{sandbox.AllowedSignersPath}:1", report);
        AssertEverywhere("invalid key", report);
    }

    [Fact]
    public async Task A_document_that_does_not_match_its_signature_says_to_resign_and_publish_both()
    {
        using var sandbox = new SignedSandbox();
        string doc = Doc(3);

        var report = await RefusedAsync(sandbox, () => sandbox.Publish(doc, Release.Sign(Doc(4))));

        Assert.Equal("signature-invalid", report.Code);
        AssertEverywhere("the document and its signature do not match: re-run `keyagentd-registry sign` on the document as published, and publish both", report);
    }

    /// <summary>Another signer's broken line grants nothing while the snapshot is accepted: `status` still names it, with file:line.</summary>
    [Fact]
    public async Task A_malformed_line_that_refuses_nothing_is_still_in_status()
    {
        using var sandbox = new SignedSandbox();
        File.WriteAllText(sandbox.AllowedSignersPath, SignedSandbox.AllowedSigners.Replace(
            Second.AllowedLine("second@example.com"), Second.AllowedLine("second@example.com", "namespaces=keyagentd-registry"), StringComparison.Ordinal));
        sandbox.PublishSigned(Doc(2), Release);

        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.Outcome == SyncOutcome.Ok, SyncSummary.Render(result));
        var json = new StringWriter();
        StatusCommand.Run(sandbox.Box.State, true, sandbox.Box.Time.GetUtcNow(), json);
        var problems = JsonDocument.Parse(json.ToString()).RootElement.GetProperty("trust_roots_problems").EnumerateArray().Select(p => p.GetString()).ToList();
        string expected = $"{sandbox.AllowedSignersPath}:2: option value must be quoted";
        Assert.Contains(problems, p => p!.Contains(expected, StringComparison.Ordinal));
        var text = new StringWriter();
        StatusCommand.Run(sandbox.Box.State, false, sandbox.Box.Time.GetUtcNow(), text);
        Assert.Contains(expected, text.ToString(), StringComparison.Ordinal);
        Assert.Contains(sandbox.Box.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(expected, StringComparison.Ordinal));
    }
}
