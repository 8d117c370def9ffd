using KeyAgentd.Cli;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.Tests.RootRotation;

/// <summary>
/// A root holders' working directory for tests: real ed25519 keys made by ssh-keygen per holder (private
/// file and .pub), the root directory (DIR/N.json), a web root, and the commands run as the CLI runs them,
/// at a fixed time.
/// </summary>
internal sealed class RootWorkspace : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _scratch = new("keyagentd-root-");

    public RootWorkspace()
    {
        Directory.CreateDirectory(Dir);
    }

    public string Scratch => _scratch.Path;

    public string Dir => Path.Combine(_scratch.Path, "roots");

    public string WebRoot => Path.Combine(_scratch.Path, "www");

    public string Version(long n) => Path.Combine(Dir, $"{n}.json");

    /// <summary>The private key file of <paramref name="holder"/>, made on first use; its public half is beside it as .pub.</summary>
    public string Key(string holder)
    {
        string path = Path.Combine(Scratch, holder);
        return File.Exists(path) ? path : SshKeygen.GeneratePrivate(Scratch, holder, comment: holder + "-root");
    }

    public string Pub(string holder) => Key(holder) + ".pub";

    public SshPublicKey PublicKey(string holder) => AuthorizedKeyLineParser.Parse(File.ReadAllText(Pub(holder)).Trim()).Key!;

    public string Fingerprint(string holder) => PublicKey(holder).Sha256Fingerprint;

    public (int Exit, string Stdout, string Stderr) Init(string[] rootKeys, int rootThreshold, string[] signers, int snapshotThreshold = 1, string? expires = "365d", string? maxSnapshotValidity = null) =>
        Capture((o, e) => RootInitCommand.Run(new RootInitCommand.Request(Dir, [.. rootKeys.Select(h => $"{h}={Pub(h)}")], rootThreshold,
            [.. signers.Select(s => $"{s}={Pub(s)}")], snapshotThreshold, expires) { MaxSnapshotValidity = maxSnapshotValidity }, 2048, Now, o, e));

    public (int Exit, string Stdout, string Stderr) Propose(RootProposeCommand.Request request) =>
        Capture((o, e) => RootProposeCommand.Run(request, 2048, Now, o, e));

    /// <summary>Signs with the private key file: `ssh-keygen -Y sign`.</summary>
    public (int Exit, string Stdout, string Stderr) Sign(long version, string holder, string? agentSocket = null, string? keyFile = null) =>
        Capture((o, e) => RootSignCommand.Run(Version(version), keyFile ?? Key(holder), agentSocket, 2048, Now, o, e));

    public (int Exit, string Stdout, string Stderr) Verify(string? path = null, string[]? pins = null, DateTimeOffset? now = null) =>
        Capture((o, e) => RootVerifyCommand.Run(path ?? Dir, pins, 2048, now ?? Now, o, e));

    public (int Exit, string Stdout, string Stderr) Publish(string? from = null, DateTimeOffset? now = null) =>
        Capture((o, e) => RootPublishCommand.Run(from ?? Dir, WebRoot, null, 2048, now ?? Now, o, e));

    /// <summary>A first root, alice and bob holding root keys (both needed), ci signing snapshots; signed by both.</summary>
    public void SignedFirstRoot()
    {
        Assert.Equal(0, Init(["alice", "bob"], 2, ["ci"]).Exit);
        Assert.Equal(0, Sign(1, "alice").Exit);
        Assert.Equal(0, Sign(1, "bob").Exit);
    }

    /// <summary>Every file of a directory tree with its bytes, to show a refusal changed nothing.</summary>
    public static Dictionary<string, byte[]> Files(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(directory, f), File.ReadAllBytes)
            : [];

    public static void AssertSame(Dictionary<string, byte[]> before, Dictionary<string, byte[]> after)
    {
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        Assert.All(before, b => Assert.Equal(b.Value, after[b.Key]));
    }

    public void Dispose() => _scratch.Dispose();

    private static (int, string, string) Capture(Func<TextWriter, TextWriter, int> run)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = run(stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
