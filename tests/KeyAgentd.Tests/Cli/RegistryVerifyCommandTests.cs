using System.Globalization;
using System.Text.Json.Nodes;
using KeyAgentd.Cli;
using KeyAgentd.Configuration;
using KeyAgentd.Tests.Support;
using KeyAgentd.Tests.Sync;
using static KeyAgentd.Tests.Sync.SignedSandbox;

namespace KeyAgentd.Tests.Cli;

/// <summary>`keyagentd registry verify`: what it prints, its exit code, and agreement with `ssh-keygen -Y verify`.</summary>
public sealed class RegistryVerifyCommandTests : IDisposable
{
    private static readonly DateTimeOffset Now = EngineSandbox.Issued.AddMinutes(5);
    private readonly TempDirectory _dir = new("keyagentd-verify-cli-");

    private string AllowedSignersPath => _dir.File("allowed_signers");

    private (int Exit, string Output) Verify(string json, byte[]? signature, string host = HostName, KeyAgentdSettings? settings = null)
    {
        File.WriteAllText(AllowedSignersPath, AllowedSigners);
        File.WriteAllText(_dir.File("registry.json"), json);
        File.Delete(_dir.File("registry.json.sig"));
        if (signature is not null)
        {
            File.WriteAllBytes(_dir.File("registry.json.sig"), signature);
        }
        settings ??= new KeyAgentdSettings { State = { Directory = _dir.File("state") } };
        var output = new StringWriter();
        int exit = RegistryVerifyCommand.Run(settings, AllowedSignersPath, host, _dir.File("registry.json"), null, Now, output);
        return (exit, output.ToString());
    }

    [Fact]
    public void A_fifo_or_an_oversized_file_is_refused_by_name_without_hanging_or_being_read()
    {
        File.WriteAllText(AllowedSignersPath, AllowedSigners);
        string snapshot = _dir.File("registry.json");
        var settings = new KeyAgentdSettings { State = { Directory = _dir.File("state") } };
        string doc = Doc(7);
        File.WriteAllText(snapshot, doc);
        foreach (string path in (string[])[snapshot + ".sig", snapshot])
        {
            using var fifo = new PlantedFifo(path);
            var output = new StringWriter();
            Assert.Equal(ExitCodes.Usage, PlantedFifo.Run(() => RegistryVerifyCommand.Run(settings, AllowedSignersPath, HostName, snapshot, null, Now, output)));
            Assert.Contains($"{path}: a FIFO, not a regular file", output.ToString(), StringComparison.Ordinal);
        }

        File.Delete(snapshot);
        File.WriteAllText(snapshot, doc);
        using (var stream = File.OpenWrite(snapshot))
        {
            stream.SetLength(settings.Registry.MaxBytes + 1);
        }
        var tooLarge = new StringWriter();
        Assert.Equal(ExitCodes.Usage, RegistryVerifyCommand.Run(settings, AllowedSignersPath, HostName, snapshot, null, Now, tooLarge));
        Assert.Contains($"{snapshot}: larger than {settings.Registry.MaxBytes} bytes", tooLarge.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_this_host_would_apply_exits_0_and_shows_signers_serial_audience_and_times()
    {
        string doc = Doc(7);
        var (exit, output) = Verify(doc, [.. Release.Sign(doc), .. Stranger.Sign(doc)]);

        Assert.True(exit == 0, output);
        Assert.Contains($"1: ok      accepted             release@example.com ssh-ed25519 {Release.Fingerprint} sha512", output, StringComparison.Ordinal);
        Assert.Contains($"2: REFUSED signer-unknown       - ssh-ed25519 {Stranger.Fingerprint}", output, StringComparison.Ordinal);
        Assert.Contains("serial:      7\n", output, StringComparison.Ordinal);
        Assert.Contains("audience:    web-*.example.com, bastion (web-1.example.com: matches)", output, StringComparison.Ordinal);
        Assert.Contains("issued:      2026-11-21 10:00:00Z", output, StringComparison.Ordinal);
        Assert.Contains("expires:     2026-11-28 10:00:00Z (valid 7 days", output, StringComparison.Ordinal);
        Assert.Contains("verdict:     APPLY on web-1.example.com", output, StringComparison.Ordinal);
        Assert.True(SshKeygenVerify("release@example.com", doc, Release.Sign(doc)));
    }

    [Theory]
    [InlineData("audience-mismatch", "db-7")]
    [InlineData("signer-unknown", HostName)]
    [InlineData("signature-missing", HostName)]
    [InlineData("signature-invalid", HostName)]
    public void A_snapshot_this_host_would_refuse_exits_1_with_the_reason(string reason, string host)
    {
        string doc = Doc(7);
        byte[]? signature = reason switch
        {
            "signer-unknown" => Stranger.Sign(doc),
            "signature-missing" => null,
            "signature-invalid" => Release.Sign(Doc(8)),
            _ => Release.Sign(doc),
        };

        var (exit, output) = Verify(doc, signature, host);

        Assert.True(exit == 1, output);
        Assert.Contains($"verdict:     REFUSE {reason}: ", output, StringComparison.Ordinal);
        if (signature is not null && reason != "audience-mismatch")
        {
            Assert.False(SshKeygenVerify("release@example.com", doc, signature));
        }
    }

    [Fact]
    public void On_a_host_whose_trust_state_is_damaged_the_verdict_is_refuse_as_the_daemon_would()
    {
        Directory.CreateDirectory(_dir.File("state"));
        File.WriteAllText(_dir.File("state/trust-state.json"), "{\"version\":1,\"verified_floor\":{\"serial\":1}}");
        string doc = Doc(7);

        var (exit, output) = Verify(doc, Release.Sign(doc));

        Assert.True(exit == 1, output);
        Assert.Contains("verdict:     REFUSE trust-state-unusable: ", output, StringComparison.Ordinal);
        Assert.Contains("fails its checksum", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validity_beyond_the_hosts_cap_is_refused()
    {
        string doc = Doc(7, d => d["expires_at"] = "2027-01-21T10:00:00Z");
        var (exit, output) = Verify(doc, Release.Sign(doc));
        Assert.True(exit == 1, output);
        Assert.Contains("REFUSE validity-too-long", output, StringComparison.Ordinal);
    }

    /// <summary>`ssh-keygen -Y verify -f allowed_signers -I PRINCIPAL -n keyagentd-registry -s SIG -O verify-time=…`, the reference.</summary>
    private bool SshKeygenVerify(string principal, string doc, byte[] signature)
    {
        File.WriteAllText(AllowedSignersPath, AllowedSigners);
        File.WriteAllText(_dir.File("oracle.json"), doc);
        File.WriteAllBytes(_dir.File("oracle.json.sig"), signature);
        string time = Now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "Z";
        var result = ProcessRunner.Run("sh", ["-c", "exec ssh-keygen -Y verify -f \"$1\" -I \"$2\" -n keyagentd-registry -s \"$3\" -O verify-time=\"$4\" < \"$5\"", "sh",
            AllowedSignersPath, principal, _dir.File("oracle.json.sig"), time, _dir.File("oracle.json")]);
        return result.ExitCode == 0;
    }

    public void Dispose() => _dir.Dispose();
}
