using System.Text.Json.Nodes;
using KeyAgentd.Cli;
using KeyAgentd.Configuration;
using KeyAgentd.Core.Planning;
using KeyAgentd.State;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KeyAgentd.Tests.Sync;

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public void Set(DateTimeOffset now) => _now = now;

    public override DateTimeOffset GetUtcNow() => _now;
}

/// <summary>
/// A sandbox for the whole engine: a passwd file of accounts with this process's uid/gid, homes under a
/// root-owned 0755 base (/var/tmp, not the world-writable /tmp), a file:// registry, a state directory.
/// </summary>
public sealed class EngineSandbox : IDisposable
{
    public static readonly DateTimeOffset Issued = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private ServiceProvider _services;

    public EngineSandbox(string[] accounts, string? registryUrl = null, Action<KeyAgentdSettings>? configure = null)
    {
        Root = Directory.CreateTempSubdirectory("keyagentd-sbx-").FullName;
        // CreateTempSubdirectory honours TMPDIR; move under /var/tmp when that is /tmp.
        if (Root.StartsWith("/tmp/", StringComparison.Ordinal))
        {
            Directory.Delete(Root);
            Root = Path.Combine("/var/tmp", "keyagentd-sbx-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(Root);
        }
        Chmod755(Root);
        Directory.CreateDirectory(Path.Combine(Root, "home"));
        Chmod755(Path.Combine(Root, "home"));
        uint uid = Mono.Unix.Native.Syscall.getuid();
        uint gid = Mono.Unix.Native.Syscall.getgid();
        var passwd = new System.Text.StringBuilder();
        foreach (string name in accounts)
        {
            string home = Path.Combine(Root, "home", name);
            Directory.CreateDirectory(home);
            Chmod755(home);
            passwd.Append($"{name}:x:{uid}:{gid}:sandbox:{home}:/bin/sh\n");
        }
        File.WriteAllText(PasswdPath, passwd.ToString());
        Settings = new KeyAgentdSettings
        {
            Registry = { Url = registryUrl ?? "file://" + RegistryPath, PollInterval = TimeSpan.FromMinutes(10), Jitter = TimeSpan.Zero, Timeout = TimeSpan.FromSeconds(2) },
            Accounts = { PasswdFile = PasswdPath, Mode = OwnershipMode.Exclusive },
            State = { Directory = Path.Combine(Root, "state") },
            Audit = { Path = Path.Combine(Root, "audit.jsonl") },
            Metrics = { TextfilePath = Path.Combine(Root, "keyagentd.prom") },
        };
        configure?.Invoke(Settings);
        Time = new ManualTimeProvider(Issued.AddMinutes(5));
        _services = BuildServices();
    }

    private ServiceProvider BuildServices()
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.ClearProviders().AddProvider(Logs));
        services.AddKeyAgentd(Settings);
        services.AddSingleton<TimeProvider>(Time);
        return services.BuildServiceProvider();
    }

    /// <summary>A new process on the same state directory: a fresh engine with nothing remembered.</summary>
    public void Restart()
    {
        _services.Dispose();
        _services = BuildServices();
    }

    public string Root { get; }

    /// <summary>What the engine logged, across restarts.</summary>
    public LogCapture Logs { get; } = new();

    private static void Chmod755(string path)
    {
        if (Mono.Unix.Native.Syscall.chmod(path, (Mono.Unix.Native.FilePermissions)0b111_101_101) != 0)
        {
            throw new InvalidOperationException($"chmod {path} failed");
        }
    }

    public string PasswdPath => Path.Combine(Root, "passwd");

    public string RegistryPath => Path.Combine(Root, "registry.json");

    public KeyAgentdSettings Settings { get; }

    public ManualTimeProvider Time { get; }

    public SyncEngine Engine => _services.GetRequiredService<SyncEngine>();

    public StateStore State => _services.GetRequiredService<StateStore>();

    public string KeysPath(string account) => Path.Combine(Root, "home", account, ".ssh", "authorized_keys");

    /// <summary>account → file bytes (null when absent), for byte-identical checks.</summary>
    public Dictionary<string, byte[]?> SnapshotFiles(IEnumerable<string> accounts) =>
        accounts.ToDictionary(a => a, a => File.Exists(KeysPath(a)) ? File.ReadAllBytes(KeysPath(a)) : null);

    public Task<SyncResult> SyncAsync(CancellationToken cancel = default) => Engine.RunAsync(new SyncOptions(), cancel);

    public string CachePath(string account) => Path.Combine(Settings.State.Directory, "keys", account);

    /// <summary>The audit log's records as JSON objects, oldest first.</summary>
    public List<JsonObject> AuditRecords() =>
        File.Exists(Settings.Audit.Path)
            ? [.. File.ReadAllLines(Settings.Audit.Path).Select(l => JsonNode.Parse(l)!.AsObject())]
            : [];

    /// <summary>A registry document: each account gets the given raw key entries (JSON objects).</summary>
    public static string Registry(long serial, Dictionary<string, JsonArray> accountKeys, DateTimeOffset? expires = null, DateTimeOffset? issued = null,
        Action<JsonObject>? edit = null)
    {
        var accountsNode = new JsonObject();
        foreach (var (name, keys) in accountKeys)
        {
            accountsNode[name] = new JsonObject { ["keys"] = keys };
        }
        var doc = new JsonObject
        {
            ["schema"] = "keyagentd.registry/v1",
            ["serial"] = serial,
            ["issued_at"] = (issued ?? Issued).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["expires_at"] = (expires ?? Issued.AddYears(10)).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["people"] = new JsonObject(),
            ["accounts"] = accountsNode,
        };
        edit?.Invoke(doc);
        return doc.ToJsonString();
    }

    public static JsonObject Key(string line, string owner, DateTimeOffset? notAfter = null)
    {
        var key = new JsonObject { ["key"] = line, ["owner"] = owner, ["label"] = owner };
        if (notAfter is { } n)
        {
            key["not_after"] = n.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        }
        return key;
    }

    public void WriteRegistry(string json)
    {
        string tmp = RegistryPath + ".tmp";
        File.WriteAllText(tmp, json);
        File.Move(tmp, RegistryPath, overwrite: true);
    }

    public void Dispose()
    {
        _services.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
