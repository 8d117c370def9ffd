using System.Text;
using System.Text.Json;
using KeyAgentd.Accounts;
using KeyAgentd.Cli;
using KeyAgentd.Configuration;
using KeyAgentd.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mono.Unix.Native;

namespace KeyAgentd.Stress;

/// <summary>
/// A private host: a root-owned 0755 tree under /var/tmp with N passwd-file accounts (uids 40000+),
/// their homes owned by them, a state dir, an audit log and a registry file.
/// </summary>
public sealed class Sandbox : IDisposable
{
    public const uint FirstUid = 40000;

    private Sandbox(string root, IReadOnlyList<AccountInfo> accounts)
    {
        Root = root;
        Accounts = accounts;
    }

    public string Root { get; }

    public IReadOnlyList<AccountInfo> Accounts { get; }

    public string PasswdFile => Path.Combine(Root, "passwd");

    public string RegistryFile => Path.Combine(Root, "registry.json");

    public string StateDir => Path.Combine(Root, "state");

    public string AuditFile => Path.Combine(Root, "audit.jsonl");

    public static string NewRoot(string tag)
    {
        string root = Path.Combine("/var/tmp", $"keyagentd-stress-{tag}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(root);
        Fs.Chmod(root, 0x1ED);
        return root;
    }

    public static Sandbox Create(string tag, int count, string? homeBase = null, IEnumerable<string>? names = null)
    {
        string root = NewRoot(tag);
        string home = homeBase ?? Path.Combine(root, "home");
        Directory.CreateDirectory(home);
        Fs.Chmod(home, 0x1ED);
        var accounts = new List<AccountInfo>();
        var passwd = new StringBuilder();
        var list = names?.ToList() ?? Enumerable.Range(0, count).Select(i => $"u{i}").ToList();
        for (int i = 0; i < list.Count; i++)
        {
            uint uid = FirstUid + (uint)i;
            var account = new AccountInfo(list[i], uid, uid, Path.Combine(home, list[i]), "/bin/sh");
            Directory.CreateDirectory(account.Home);
            Fs.Chown(account.Home, uid, uid);
            Fs.Chmod(account.Home, 0x1ED);
            accounts.Add(account);
            passwd.Append($"{account.Name}:x:{uid}:{uid}::{account.Home}:/bin/sh\n");
        }
        File.WriteAllText(Path.Combine(root, "passwd"), passwd.ToString());
        Directory.CreateDirectory(Path.Combine(root, "state"));
        return new Sandbox(root, accounts);
    }

    public string KeyFile(AccountInfo account) => Path.Combine(account.Home, ".ssh", "authorized_keys");

    public KeyAgentdSettings Settings(double maxRemovalPercent = 100)
    {
        var settings = new KeyAgentdSettings();
        settings.Registry.Url = "file://" + RegistryFile;
        settings.Registry.MaxBytes = 256L * 1024 * 1024;
        settings.Accounts.PasswdFile = PasswdFile;
        settings.State.Directory = StateDir;
        settings.Audit.Path = AuditFile;
        settings.Safety.MaxRemovalPercent = maxRemovalPercent;
        // Stress hosts hold a handful of keys; with the default floor (10 keys) an emptied snapshot
        // would legitimately go through, so the floor is lowered to exercise the percentage.
        settings.Safety.MinRemovedKeys = 1;
        return settings;
    }

    /// <summary>The real SyncEngine from the real composition root, logging switched off.</summary>
    public (ServiceProvider Services, SyncEngine Engine) Engine(KeyAgentdSettings settings)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.ClearProviders());
        services.AddKeyAgentd(settings);
        var provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredService<SyncEngine>());
    }

    /// <summary>A registry with the given keys per account (no people): serial and a month of validity.</summary>
    public static byte[] Registry(long serial, IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> accountKeys, DateTimeOffset? expires = null)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("schema", "keyagentd.registry/v1");
            json.WriteNumber("serial", serial);
            var now = DateTimeOffset.UtcNow;
            json.WriteString("issued_at", now.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ"));
            json.WriteString("expires_at", (expires ?? now.AddDays(30)).ToString("yyyy-MM-ddTHH:mm:ssZ"));
            json.WriteStartObject("people");
            json.WriteEndObject();
            json.WriteStartObject("accounts");
            foreach (var (name, keys) in accountKeys)
            {
                json.WriteStartObject(name);
                json.WriteStartArray("keys");
                foreach (string key in keys)
                {
                    json.WriteStartObject();
                    json.WriteString("key", key);
                    json.WriteString("owner", "stress");
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>Replaces the registry atomically (a reader never sees half a file).</summary>
    public void WriteRegistry(byte[] content)
    {
        string temp = RegistryFile + ".tmp";
        File.WriteAllBytes(temp, content);
        File.Move(temp, RegistryFile, overwrite: true);
    }

    /// <summary>The key lines of a file (comments and blanks dropped), or null when it is missing.</summary>
    public static List<string>? KeyLines(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        return File.ReadAllText(path).Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Order(StringComparer.Ordinal).ToList();
    }

    public void Dispose() => Fs.RemoveTree(Root);
}
