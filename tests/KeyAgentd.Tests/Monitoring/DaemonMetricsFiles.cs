using System.Text.Json.Nodes;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Sync;
using KeyAgentd.Trust.Tests.Support;
using static KeyAgentd.Tests.Sync.SignedSandbox;

namespace KeyAgentd.Tests.Monitoring;

/// <summary>
/// The metrics textfile exactly as the sync engine wrote it, in each state an alert is about: a signed
/// sandbox host (<see cref="SignedSandbox"/>) is brought into the state by real cycles, and the file is
/// captured. These captures are the fixtures of every monitoring test: promtool checks them, and the
/// alert-rule tests take their input series from them (nothing here is written by hand).
/// </summary>
public sealed class DaemonMetricsFiles
{
    /// <summary>state → how a host gets there; each runs in its own sandbox.</summary>
    private static readonly Dictionary<string, Func<Task<string>>> States = new(StringComparer.Ordinal)
    {
        ["ok"] = OkAsync,
        ["unreachable"] = UnreachableAsync,
        ["stale"] = StaleAsync,
        ["signature-invalid"] = () => RefusedAsync(s => s.Publish(Doc(3), Release.Sign(Doc(2)))),
        ["signer-unknown"] = () => RefusedAsync(s => s.PublishSigned(Doc(3), Stranger)),
        ["rollback"] = () => RefusedAsync(s => s.PublishSigned(Doc(1), Release)),
        ["equivocation"] = () => RefusedAsync(s => s.PublishSigned(Doc(2, d => d["revoked"] = new JsonArray()), Release)),
        ["audience-mismatch"] = () => RefusedAsync(s => s.PublishSigned(Doc(3, d => d["audience"] = new JsonArray("db-*")), Release)),
        ["trust-roots-unusable"] = () => RefusedAsync(s => File.WriteAllText(s.RevokedSignersPath, "not a key\n")),
        ["guard-tripped"] = GuardTrippedAsync,
        ["account-refused"] = AccountRefusedAsync,
        ["signatures-off"] = () => WithSignaturesAsync("off"),
        ["signatures-report"] = () => WithSignaturesAsync("report"),
        ["cache-unwritten"] = CacheUnwrittenAsync,
        ["root-ok"] = () => RootAsync(TimeSpan.FromDays(300), null),
        ["root-expiring"] = () => RootAsync(TimeSpan.FromDays(10), null),
        ["root-refused"] = () => RootAsync(TimeSpan.FromDays(300), "root-threshold-not-met"),
        ["root-expired"] = () => RootAsync(TimeSpan.FromDays(1), "root-expired"),
    };

    /// <summary>One set of captures for the whole test run: bringing each state about costs real cycles and signatures.</summary>
    public static DaemonMetricsFiles Shared { get; } = new();

    public static IEnumerable<string> StateNames => States.Keys;

    /// <summary>Every metric name the daemon writes (its # TYPE lines), over all the states.</summary>
    public async Task<SortedSet<string>> MetricNamesAsync()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string state in StateNames)
        {
            foreach (string line in (await CaptureAsync(state)).Split('\n'))
            {
                if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
                {
                    names.Add(line.Split(' ')[2]);
                }
            }
        }
        return names;
    }

    private readonly Dictionary<string, Lazy<Task<string>>> _captured =
        States.ToDictionary(s => s.Key, s => new Lazy<Task<string>>(s.Value), StringComparer.Ordinal);

    /// <summary>The metrics file a host in <paramref name="state"/> has; each state is brought about once per test class.</summary>
    public Task<string> CaptureAsync(string state) =>
        _captured.TryGetValue(state, out var capture) ? capture.Value : throw new ArgumentException($"no metrics state \"{state}\"", nameof(state));

    private static async Task<string> OkAsync()
    {
        using var sandbox = new SignedSandbox();
        await AppliedAsync(sandbox);
        return sandbox.Metrics;
    }

    /// <summary>Two hours after its last success the registry is gone (the document removed): unreachable, last-known-good kept.</summary>
    private static async Task<string> UnreachableAsync()
    {
        using var sandbox = new SignedSandbox();
        await AppliedAsync(sandbox);
        File.Delete(sandbox.Box.RegistryPath);
        sandbox.Box.Time.Set(sandbox.Box.Time.GetUtcNow().AddHours(2));
        await ExpectAsync(sandbox, SyncOutcome.RegistryUnusable, "unreachable");
        return sandbox.Metrics;
    }

    /// <summary>Eight days on, the registry still serves the week-long serial 2, unchanged: the snapshot in use is stale.</summary>
    private static async Task<string> StaleAsync()
    {
        using var sandbox = new SignedSandbox();
        await AppliedAsync(sandbox);
        sandbox.Box.Time.Set(sandbox.Box.Time.GetUtcNow().AddDays(8));
        await ExpectAsync(sandbox, SyncOutcome.Ok, null);
        return sandbox.Metrics;
    }

    private static async Task<string> RefusedAsync(Action<SignedSandbox> publishBad)
    {
        using var sandbox = new SignedSandbox();
        await AppliedAsync(sandbox);
        publishBad(sandbox);
        sandbox.Box.Restart();
        var result = await sandbox.Box.SyncAsync();
        Assert.True(result.Outcome == SyncOutcome.RegistryUnusable, SyncSummary.Render(result));
        return sandbox.Metrics;
    }

    private static async Task<string> GuardTrippedAsync()
    {
        using var sandbox = new SignedSandbox(s => s.Safety.MinRemovedKeys = 1);
        await AppliedAsync(sandbox);
        sandbox.PublishSigned(Doc(3, d => d["accounts"] = new JsonObject()), Release);
        await ExpectAsync(sandbox, SyncOutcome.GuardTripped, null);
        return sandbox.Metrics;
    }

    /// <summary>ops's ~/.ssh became world-writable: that account is refused, app is still served.</summary>
    private static async Task<string> AccountRefusedAsync()
    {
        using var sandbox = new SignedSandbox();
        await AppliedAsync(sandbox);
        string sshDir = Path.GetDirectoryName(sandbox.Box.KeysPath("ops"))!;
        Assert.Equal(0, Mono.Unix.Native.Syscall.chmod(sshDir, (Mono.Unix.Native.FilePermissions)0b111_111_111));
        sandbox.PublishSigned(Doc(3), Release);
        await ExpectAsync(sandbox, SyncOutcome.Partial, null);
        return sandbox.Metrics;
    }

    private static async Task<string> WithSignaturesAsync(string mode)
    {
        using var sandbox = new SignedSandbox(s => s.Registry.Signatures = mode);
        sandbox.Publish(Doc(2), null);
        await ExpectAsync(sandbox, SyncOutcome.Ok, null);
        return sandbox.Metrics;
    }

    /// <summary>Something took the place of app's cache (a directory with content): the cycle writes everything else.</summary>
    private static async Task<string> CacheUnwrittenAsync()
    {
        using var sandbox = new SignedSandbox();
        await AppliedAsync(sandbox);
        string cache = sandbox.Box.CachePath("app");
        File.Delete(cache);
        Directory.CreateDirectory(cache);
        File.WriteAllText(Path.Combine(cache, "in-the-way"), "");
        sandbox.PublishSigned(Doc(3, d => d["accounts"]!["app"]!["keys"]!.AsArray().RemoveAt(1)), Release);
        await ExpectAsync(sandbox, SyncOutcome.Partial, null);
        return sandbox.Metrics;
    }

    private static readonly SignerKey RootAlice = RootDocuments.Key("metrics-alice");
    private static readonly SignerKey RootBob = RootDocuments.Key("metrics-bob");
    private static readonly SignerKey Ci = RootDocuments.Key("metrics-ci");

    /// <summary>
    /// A host that follows a trust root (Registry:TrustRootFile; version 1 expiring after <paramref name="lifetime"/>)
    /// and applied serial 2; then version 2 signed by one root key of two (root-threshold-not-met), or two
    /// days pass and serial 3 is published under the expired root (root-expired).
    /// </summary>
    private static async Task<string> RootAsync(TimeSpan lifetime, string? refusal)
    {
        string? installed = null;
        using var box = new EngineSandbox(SignedSandbox.Accounts, configure: s =>
        {
            s.Host.Name = HostName;
            installed = Path.Combine(Path.GetDirectoryName(s.State.Directory)!, "installed-root.json");
            s.Registry.TrustRootFile = installed;
            s.Registry.AllowedSignersFile = installed + ".no-allowed-signers";
        });
        var now = box.Time.GetUtcNow();
        (string, SignerKey)[] rootKeys = [("alice", RootAlice), ("bob", RootBob)];
        var (bytes, signature) = RootDocuments.Signed(RootDocuments.Document(1, rootKeys, 2, [("ci", Ci)], expires: now + lifetime), RootAlice, RootBob);
        File.WriteAllBytes(installed! + ".sig", signature);
        File.WriteAllBytes(installed!, bytes);
        PublishSnapshot(box, Doc(2));
        var applied = await box.SyncAsync();
        Assert.True(applied.Outcome == SyncOutcome.Ok, SyncSummary.Render(applied));
        if (refusal == "root-threshold-not-met")
        {
            var (v2, v2Sig) = RootDocuments.Signed(RootDocuments.Document(2, [("bob", RootBob)], 1, [("ci", Ci)], expires: now.AddDays(300)), RootBob);
            Directory.CreateDirectory(Path.Combine(box.Root, "root"));
            File.WriteAllBytes(Path.Combine(box.Root, "root", "2.json.sig"), v2Sig);
            File.WriteAllBytes(Path.Combine(box.Root, "root", "2.json"), v2);
            var refused = await box.SyncAsync();
            Assert.True(refused.Outcome == SyncOutcome.Ok && box.State.LoadStatus().TrustRootProblem == refusal, SyncSummary.Render(refused));
        }
        else if (refusal == "root-expired")
        {
            box.Time.Set(now.AddDays(2));
            PublishSnapshot(box, Doc(3));
            var expired = await box.SyncAsync();
            Assert.True(expired.Outcome == SyncOutcome.RegistryUnusable && expired.RegistryProblem?.Code == refusal, SyncSummary.Render(expired));
        }
        return File.ReadAllText(box.Settings.Metrics.TextfilePath!);
    }

    private static void PublishSnapshot(EngineSandbox box, string json)
    {
        box.WriteRegistry(json);
        File.WriteAllBytes(box.RegistryPath + ".sig", OpenSsh.Sign(Ci, System.Text.Encoding.UTF8.GetBytes(json)));
    }

    private static async Task ExpectAsync(SignedSandbox sandbox, SyncOutcome outcome, string? problem)
    {
        var result = await sandbox.Box.SyncAsync();
        Assert.True(result.Outcome == outcome && result.RegistryProblem?.Code == problem, SyncSummary.Render(result));
    }

    private static Task AppliedAsync(SignedSandbox sandbox) => SignedRegistryRefusalTests.AppliedAsync(sandbox);
}
