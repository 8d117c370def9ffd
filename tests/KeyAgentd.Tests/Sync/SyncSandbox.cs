using System.Text.Json;
using System.Text.Json.Nodes;
using KeyAgentd.Cli;
using KeyAgentd.Configuration;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// One daemon's world for end-to-end sync tests: a file:// registry (schema v1) the test publishes,
/// a state directory and an audit log under a root-owned 0755 directory in /var/tmp. Accounts are
/// real (<see cref="TestAccount"/>), found through NSS exactly as in production.
/// </summary>
public sealed class SyncSandbox : IDisposable
{
    private long _serial;

    public SyncSandbox()
    {
        Root = Directory.CreateTempSubdirectory("keyagentd-sync-").FullName;
        TestAccount.Chmod(Root, 0x1ED);
        Settings = new KeyAgentdSettings();
        Settings.Registry.Url = "file://" + RegistryPath;
        Settings.State.Directory = Path.Combine(Root, "state");
        Settings.Audit.Path = AuditPath;
    }

    public string Root { get; }

    public string RegistryPath => Path.Combine(Root, "registry.json");

    public string AuditPath => Path.Combine(Root, "audit.jsonl");

    public KeyAgentdSettings Settings { get; }

    public static string Fingerprint(string keyLine) => AuthorizedKeyLineParser.Parse(keyLine).Key!.Sha256Fingerprint;

    /// <summary>Publishes a snapshot whose accounts carry their keys directly (owner "test").</summary>
    public void Publish(IReadOnlyDictionary<string, string[]> accountKeys, IEnumerable<string>? revoked = null)
    {
        var accounts = new JsonObject();
        foreach (var (name, keys) in accountKeys)
        {
            accounts[name] = new JsonObject { ["keys"] = new JsonArray([.. keys.Select(k => (JsonNode)new JsonObject { ["key"] = k, ["owner"] = "test" })]) };
        }
        PublishJson(accounts, new JsonObject(), revoked);
    }

    /// <summary>Publishes a snapshot with the next serial, valid for a year.</summary>
    public void PublishJson(JsonObject accounts, JsonObject people, IEnumerable<string>? revoked = null)
    {
        var doc = new JsonObject
        {
            ["schema"] = "keyagentd.registry/v1",
            ["serial"] = ++_serial,
            ["issued_at"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["expires_at"] = DateTimeOffset.UtcNow.AddYears(1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["people"] = people,
            ["accounts"] = accounts,
            ["revoked"] = new JsonArray([.. (revoked ?? []).Select(r => (JsonNode)JsonValue.Create(r))]),
        };
        File.WriteAllText(RegistryPath, doc.ToJsonString());
    }

    public async Task<SyncResult> SyncAsync(bool dryRun = false, bool force = false)
    {
        using var services = AppServices.BuildForCommand(Settings);
        return await services.GetRequiredService<SyncEngine>().RunAsync(new SyncOptions(dryRun, force), CancellationToken.None);
    }

    public List<JsonElement> AuditRecords() =>
        File.Exists(AuditPath)
            ? [.. File.ReadAllLines(AuditPath).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())]
            : [];

    public List<JsonElement> AuditRecords(string action) =>
        [.. AuditRecords().Where(r => r.GetProperty("action").GetString() == action)];

    /// <summary>Every file under the sandbox with its size and mtime, to show that nothing was written.</summary>
    public static SortedDictionary<string, (long Size, long MtimeNs, ulong Inode)> Tree(params string[] roots)
    {
        var result = new SortedDictionary<string, (long, long, ulong)>(StringComparer.Ordinal);
        foreach (string root in roots.Where(Directory.Exists))
        {
            foreach (string path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Append(root))
            {
                var st = TestAccount.Lstat(path);
                result[path] = (st.st_size, st.st_mtime * 1_000_000_000 + st.st_mtime_nsec, st.st_ino);
            }
        }
        return result;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
