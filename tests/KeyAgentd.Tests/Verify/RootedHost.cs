using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using KeyAgentd.Tests.Support;
using KeyAgentd.Tests.Sync;
using KeyAgentd.Trust.Root;
using KeyAgentd.Trust.Tests.Support;

namespace KeyAgentd.Tests.Verify;

/// <summary>
/// A host that trusts a registry through its trust root, run as the real `keyagentd` process against a real
/// nginx: the web root holds web-1.example.com.json (+ .sig) and root/N.json (+ .sig) beside it, the host's
/// pinned first root is installed at Registry:TrustRootFile, and every poll is one `keyagentd sync`.
/// Documents carry real times (the process runs on the real clock).
/// </summary>
public sealed class RootedHost : IDisposable
{
    public const string HostName = "web-1.example.com";

    private static int s_publications;
    private readonly TempDirectory _nginxDir = new("keyagentd-root-nginx-");

    public RootedHost(TrustRootDocument first, params SignerKey[] signers)
    {
        Nginx = new NginxServer(_nginxDir.Path);
        Box = new EngineSandbox(["app"]);
        Directory.CreateDirectory(Path.Combine(Nginx.Root, "root"));
        Chmod755(Path.Combine(Nginx.Root, "root"));
        var (bytes, signature) = RootDocuments.Signed(first, signers);
        File.WriteAllBytes(InstalledRootPath + ".sig", signature);
        File.WriteAllBytes(InstalledRootPath, bytes);
        WriteConfig(trustRootFile: InstalledRootPath);
    }

    public NginxServer Nginx { get; }

    public EngineSandbox Box { get; }

    public string ConfigPath => Path.Combine(Box.Root, "keyagentd.json");

    public string InstalledRootPath => Path.Combine(Box.Root, "root.json");

    public string AllowedSignersPath => Path.Combine(Box.Root, "allowed_signers");

    public string StateDirectory => Box.Settings.State.Directory;

    public string Metrics => File.ReadAllText(Box.Settings.Metrics.TextfilePath!);

    public string KeysFile => File.Exists(Box.KeysPath("app")) ? File.ReadAllText(Box.KeysPath("app")) : "(absent)";

    /// <param name="trustRootFile">Registry:TrustRootFile, or null for a host bootstrapped by `trust init`.</param>
    /// <param name="safety">extra JSON members of Safety (e.g. a stricter removal guard), none by default</param>
    public void WriteConfig(string? trustRootFile, string safety = "")
    {
        string root = trustRootFile is null ? "" : $"\"TrustRootFile\": \"{trustRootFile}\", ";
        File.WriteAllText(ConfigPath, $$"""
            { "Registry": { "Url": "http://127.0.0.1:{{Nginx.Port}}/{hostname}.json", {{root}}"AllowedSignersFile": "{{AllowedSignersPath}}",
                            "PollInterval": "00:01:00", "Jitter": "00:00:00", "Timeout": "00:00:05" },
              "Host": { "Name": "{{HostName}}" },
              "Accounts": { "PasswdFile": "{{Box.PasswdPath}}", "Mode": "exclusive" },
              "State": { "Directory": "{{StateDirectory}}" },
              "Audit": { "Path": "{{Box.Settings.Audit.Path}}" },
              "Metrics": { "TextfilePath": "{{Box.Settings.Metrics.TextfilePath}}" },
              "Safety": { {{safety}} } }
            """);
        TestAccount.Chmod(ConfigPath, 0x1A4);
    }

    /// <summary>A snapshot for app with one key, issued a minute ago and valid for a week, signed by each of <paramref name="signers"/>.</summary>
    public void PublishSnapshot(long serial, string key, params SignerKey[] signers)
    {
        var now = DateTimeOffset.UtcNow;
        string json = EngineSandbox.Registry(serial, new() { ["app"] = [EngineSandbox.Key(key, "alice@example.com")] },
            issued: now.AddMinutes(-1), expires: now.AddDays(7), edit: d => d["audience"] = new JsonArray(HostName));
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        string path = Path.Combine(Nginx.Root, HostName + ".json");
        WriteServed(path + ".sig", SigFile.Concat([.. signers.Select(s => OpenSsh.Sign(s, bytes))]));
        WriteServed(path, bytes);
    }

    /// <summary>Replaces only the .sig of the snapshot served now (its document, and so its ETag, unchanged): signers adding their signatures one by one.</summary>
    public void ResignServedSnapshot(params SignerKey[] signers)
    {
        string path = Path.Combine(Nginx.Root, HostName + ".json");
        byte[] bytes = File.ReadAllBytes(path);
        WriteServed(path + ".sig", SigFile.Concat([.. signers.Select(s => OpenSsh.Sign(s, bytes))]));
    }

    /// <summary>The HTTP status of each GET of the snapshot document, oldest first.</summary>
    public string[] SnapshotStatuses() =>
        [.. Requests("/" + HostName + ".json").Select(l => l.Split('"')[2].Trim().Split(' ')[0])];

    /// <summary>Publishes root/N.json (its .sig first, as `keyagentd-registry root publish` does) and current.json.</summary>
    public (byte[] Bytes, byte[] Signature) PublishRoot(TrustRootDocument document, params SignerKey[] signers)
    {
        var signed = RootDocuments.Signed(document, signers);
        PublishRootAs(document.Version, signed.Bytes, signed.Signature);
        return signed;
    }

    /// <summary>Serves exactly these bytes as root/<paramref name="at"/>.json: what an attacker who controls the web root can do.</summary>
    public void PublishRootAs(long at, byte[] bytes, byte[] signature)
    {
        string path = Path.Combine(Nginx.Root, "root", at.ToString(CultureInfo.InvariantCulture) + ".json");
        WriteServed(path + ".sig", signature);
        WriteServed(path, bytes);
        WriteServed(Path.Combine(Nginx.Root, "root", "current.json"), bytes);
    }

    /// <summary>One poll: `keyagentd sync` as its own process.</summary>
    public ProcessRunner.Result Sync() => KeyAgentdProcess.Run("--config", ConfigPath, "sync");

    /// <summary>The daemon (`keyagentd run`): what it remembers from poll to poll in memory counts. Its first cycle runs at start.</summary>
    public KeyAgentdProcess StartDaemon()
    {
        var daemon = KeyAgentdProcess.Start("--config", ConfigPath, "run");
        Assert.True(KeyAgentdProcess.Eventually(() => LastAttempt() is not null, TimeSpan.FromSeconds(60)), "no first cycle: " + daemon.Output);
        return daemon;
    }

    /// <summary>One poll of a running daemon now (SIGHUP), waited for until status.json shows it finished.</summary>
    public void Poll(KeyAgentdProcess daemon)
    {
        string? before = LastAttempt();
        daemon.Signal(Mono.Unix.Native.Signum.SIGHUP);
        Assert.True(KeyAgentdProcess.Eventually(() => LastAttempt() is { } after && after != before, TimeSpan.FromSeconds(60)), "no cycle after SIGHUP: " + daemon.Output);
    }

    private string? LastAttempt()
    {
        string path = Path.Combine(StateDirectory, "status.json");
        try
        {
            return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))?["last_attempt"]?.ToString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public ProcessRunner.Result Run(params string[] arguments) => KeyAgentdProcess.Run(["--config", ConfigPath, .. arguments]);

    public JsonObject StatusJson() => JsonNode.Parse(Run("status", "--json").Stdout)!.AsObject();

    public long? RootVersion => (long?)StatusJson()["trust_root"]?["version"];

    public List<JsonObject> Audit(string action) => [.. Box.AuditRecords().Where(r => (string?)r["action"] == action)];

    /// <summary>The access log lines asking for <paramref name="path"/> ("/root/2.json").</summary>
    public string[] Requests(string path) =>
        [.. (File.Exists(Nginx.AccessLog) ? File.ReadAllLines(Nginx.AccessLog) : []).Where(l => l.Contains($"GET {path} ", StringComparison.Ordinal))];

    private static void WriteServed(string path, byte[] content)
    {
        File.WriteAllBytes(path + ".tmp", content);
        // nginx's ETag is mtime (seconds) and size: each publication gets its own second.
        File.SetLastWriteTimeUtc(path + ".tmp", new DateTime(2026, 11, 21, 0, 0, 0, DateTimeKind.Utc).AddSeconds(Interlocked.Increment(ref s_publications)));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static void Chmod755(string path) => TestAccount.Chmod(path, 0x1ED);

    public void Dispose()
    {
        Nginx.Dispose();
        Box.Dispose();
        _nginxDir.Dispose();
    }
}
