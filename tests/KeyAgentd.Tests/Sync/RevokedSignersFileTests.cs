using System.Text;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using static KeyAgentd.Tests.Sync.SignedSandbox;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// Registry:RevokedSignersFile as operators write it: every accepted form revokes the compromised
/// signer (its snapshot is refused as signer-revoked), and every form that does not parse makes the
/// trust roots unusable: nothing applied, the last-known-good kept. Never a warning and a trusted key.
/// </summary>
public class RevokedSignersFileTests
{
    private static readonly DateTimeOffset Now = EngineSandbox.Issued.AddMinutes(5);

    /// <summary>form → the revoked signers file's bytes; each names the compromised signer.</summary>
    public static TheoryData<string> AcceptedForms => new()
    {
        "fingerprint with a comment",
        "ssh-keygen -l line",
        "public key line",
        "authorized_keys line with options",
        "allowed_signers line",
        "allowed_signers line with options and a comment",
        "certificate of the key",
        "KRL of the key (ssh-keygen -k)",
        "KRL sha256: spec",
        "KRL sha1: spec",
        "KRL hash: spec",
        "KRL with certificate serials and the key",
    };

    public static TheoryData<string> MalformedForms => new()
    {
        "a line that is none of the forms",
        "a fingerprint cut short",
        "a fingerprint then a bad line",
        "an MD5 fingerprint",
        "a key with broken base64",
        "a truncated KRL",
        "a KRL with an unknown section",
        "a KRL with an extension section",
        "a KRL with a signature section",
        "a KRL of another format version",
        "a KRL with trailing bytes in a section",
    };

    [Theory]
    [MemberData(nameof(AcceptedForms))]
    public async Task Each_form_operators_write_revokes_the_signer(string form)
    {
        using var sandbox = new SignedSandbox(s => s.Registry.Signatures = "enforce");
        await SignedRegistryRefusalTests.AppliedAsync(sandbox);
        var before = sandbox.ProtectedFiles();
        File.WriteAllBytes(sandbox.RevokedSignersPath, Accepted(form));

        sandbox.PublishSigned(Doc(3), Compromised);
        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.RegistryProblem?.Code == "signer-revoked", $"{form}: {SyncSummary.Render(result)}");
        Assert.Equal(2, result.Serial);
        Assert.Equal(before, sandbox.ProtectedFiles());

        // The same file revokes only that signer: the release signer's next snapshot is applied.
        sandbox.PublishSigned(Doc(4), Release);
        var next = await sandbox.Box.SyncAsync();
        Assert.True(next.Outcome == SyncOutcome.Ok, $"{form}: {SyncSummary.Render(next)}");
        Assert.Equal(4, next.Serial);
    }

    [Theory]
    [MemberData(nameof(MalformedForms))]
    public async Task A_form_that_does_not_parse_makes_the_trust_roots_unusable_and_applies_nothing(string form)
    {
        using var sandbox = new SignedSandbox(s => s.Registry.Signatures = "enforce");
        await SignedRegistryRefusalTests.AppliedAsync(sandbox);
        var before = sandbox.ProtectedFiles();
        byte[] lastKnownGood = sandbox.Box.State.LoadSnapshot()!;
        File.WriteAllBytes(sandbox.RevokedSignersPath, Malformed(form));

        sandbox.PublishSigned(Doc(3, d => d["accounts"]!["app"]!["keys"]!.AsArray().RemoveAt(1)), Release);
        var result = await sandbox.Box.SyncAsync();

        Assert.True(result.Outcome == SyncOutcome.RegistryUnusable, $"{form}: {SyncSummary.Render(result)}");
        Assert.Equal("trust-roots-unusable", result.RegistryProblem?.Code);
        Assert.Contains(sandbox.RevokedSignersPath, result.RegistryProblem!.Message, StringComparison.Ordinal);
        Assert.Equal(2, result.Serial);
        Assert.Equal(before, sandbox.ProtectedFiles());
        Assert.Equal(lastKnownGood, sandbox.Box.State.LoadSnapshot());
        Assert.Contains(AppKey, File.ReadAllText(sandbox.Box.KeysPath("app")), StringComparison.Ordinal);
    }

    private static byte[] Accepted(string form) => form switch
    {
        "fingerprint with a comment" => Text($"{Compromised.Fingerprint} # leaked 2026-11, ticket 4711\n"),
        "ssh-keygen -l line" => Text(SshKeygen.Fingerprint(Compromised.PublicLine + "\n").Lines.Single() + "\n"),
        "public key line" => Text($"# retired\n{Compromised.PublicLine}\n"),
        "authorized_keys line with options" => Text($"no-pty,from=\"10.0.0.0/8\" {Compromised.PublicLine}\n"),
        "allowed_signers line" => Text(Compromised.AllowedLine("compromised@example.com") + "\n"),
        "allowed_signers line with options and a comment" =>
            Text(Compromised.AllowedLine("compromised@example.com,ops", "namespaces=\"keyagentd-registry\",valid-after=\"20260101Z\"") + " old laptop\n"),
        "certificate of the key" => Text(SshKeygen.SignUserCertificate(Compromised.PublicLine) + "\n"),
        "KRL of the key (ssh-keygen -k)" => Oracle(KrlOracle.FromKeys(Compromised.PublicLine)),
        "KRL sha256: spec" => Oracle(KrlOracle.FromSpec([$"sha256: {Compromised.PublicLine}"])),
        "KRL sha1: spec" => Oracle(KrlOracle.FromSpec([$"sha1: {Compromised.PublicLine}"])),
        "KRL hash: spec" => Oracle(KrlOracle.FromSpec([$"hash: {Compromised.Fingerprint}"])),
        "KRL with certificate serials and the key" =>
            Oracle(KrlOracle.FromSpec(["serial: 1-100", "id: laptop-2026", $"key: {Compromised.PublicLine}"], Stranger.PublicLine)),
        _ => throw new ArgumentOutOfRangeException(nameof(form), form, null),
    };

    private static byte[] Malformed(string form)
    {
        byte[] krl = KrlOracle.FromKeys(Compromised.PublicLine);
        return form switch
        {
            "a line that is none of the forms" => Text("compromised laptop key\n"),
            "a fingerprint cut short" => Text($"{Compromised.Fingerprint[..30]} # leaked\n"),
            "a fingerprint then a bad line" => Text($"{Compromised.Fingerprint}\nSHA256 of the old laptop: see ticket\n"),
            "an MD5 fingerprint" => Text(SshKeygen.Fingerprint(Compromised.PublicLine + "\n", md5: true).Lines.Single().Split(' ')[1] + "\n"),
            "a key with broken base64" => Text($"ssh-ed25519 {Compromised.KeyText.Split(' ')[1][..20]}!!!! compromised\n"),
            "a truncated KRL" => krl[..^5],
            "a KRL with an unknown section" => [.. krl, .. Section(7, [0, 0, 0, 0])],
            "a KRL with an extension section" => [.. krl, .. Section(255, new WireBuilder().String("revoke-more@example.com").Raw([0]).String(""u8).ToArray())],
            "a KRL with a signature section" => [.. krl, .. Section(4, new WireBuilder().String(Stranger.KeyText).ToArray())],
            "a KRL of another format version" => [.. krl[..8], 0, 0, 0, 2, .. krl[12..]],
            "a KRL with trailing bytes in a section" => [.. krl, .. Section(5, [.. new WireBuilder().String(new byte[32]).ToArray(), 0x01])],
            _ => throw new ArgumentOutOfRangeException(nameof(form), form, null),
        };
    }

    private static byte[] Section(byte type, byte[] data) => [type, .. new WireBuilder().String(data).ToArray()];

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Only KRLs ssh-keygen -Q itself says revoke the compromised signer are used as accepted forms.</summary>
    private static byte[] Oracle(byte[] krl)
    {
        Assert.True(KrlOracle.Revokes(krl, Compromised.PublicLine));
        Assert.False(KrlOracle.Revokes(krl, Release.PublicLine));
        return krl;
    }
}
