using System.Text;
using KeyAgentd.Sync;
using KeyAgentd.Tests.Support;
using KeyAgentd.Tests.Sync;
using KeyAgentd.Trust.Root;
using KeyAgentd.Trust.Tests.Support;

namespace KeyAgentd.Tests.Verify;

/// <summary>
/// The root stage of a running daemon (one engine across cycles, against a real nginx): what it remembers
/// between polls must never hide a change the registry made.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SnapshotAcquirerRootTests
{
    private static readonly SignerKey Alice = RootDocuments.Key("acq-alice");
    private static readonly SignerKey Bob = RootDocuments.Key("acq-bob");
    private static readonly SignerKey Ci = RootDocuments.Key("acq-ci");
    private static readonly (string, SignerKey)[] AliceBob = [("alice", Alice), ("bob", Bob)];

    [NginxFact]
    public async Task A_refused_root_asked_for_again_is_a_304_and_a_signature_added_later_to_the_same_document_is_seen()
    {
        using var nginxDir = new TempDirectory("keyagentd-acq-nginx-");
        using var nginx = new NginxServer(nginxDir.Path);
        string? installed = null;
        using var box = new EngineSandbox(SignedSandbox.Accounts, $"http://127.0.0.1:{nginx.Port}/{{hostname}}.json", s =>
        {
            s.Host.Name = SignedSandbox.HostName;
            installed = Path.Combine(Path.GetDirectoryName(s.State.Directory)!, "installed-root.json");
            s.Registry.TrustRootFile = installed;
            s.Registry.AllowedSignersFile = installed + ".none";
        });
        var (v1, v1Sig) = RootDocuments.Signed(RootDocuments.Document(1, AliceBob, 2, [("ci", Ci)]), Alice, Bob);
        File.WriteAllBytes(installed! + ".sig", v1Sig);
        File.WriteAllBytes(installed!, v1);
        string snapshot = SignedSandbox.Doc(2);
        string served = Path.Combine(nginx.Root, SignedSandbox.HostName + ".json");
        File.WriteAllBytes(served + ".sig", OpenSsh.Sign(Ci, Encoding.UTF8.GetBytes(snapshot)));
        File.WriteAllText(served, snapshot);
        Directory.CreateDirectory(Path.Combine(nginx.Root, "root"));
        TestAccount.Chmod(Path.Combine(nginx.Root, "root"), 0x1ED);
        Assert.Equal(SyncOutcome.Ok, (await box.SyncAsync()).Outcome);

        // Alice signs version 2 first; bob's signature is added to the .sig later, the document untouched.
        var v2 = RootDocuments.Document(2, AliceBob, 2, [("ci", Ci)]);
        var (bytes, aliceOnly) = RootDocuments.Signed(v2, Alice);
        string root2 = Path.Combine(nginx.Root, "root", "2.json");
        File.WriteAllBytes(root2 + ".sig", aliceOnly);
        File.WriteAllBytes(root2, bytes);
        await box.SyncAsync();
        Assert.Equal(RootReason.ThresholdNotMet.ToCode(), box.State.LoadStatus().TrustRootProblem);

        File.WriteAllBytes(root2 + ".sig", RootDocuments.Signed(v2, Alice, Bob).Signature);
        await box.SyncAsync();

        Assert.Equal(2, box.State.LoadStatus().TrustRoot?.Version);
        // The first poll's 404 (nothing published yet), the refused document's 200, then a 304.
        var asked = nginx.AccessLogWith(3, l => l.Contains("GET /root/2.json ", StringComparison.Ordinal))
            .Where(l => l.Contains("GET /root/2.json ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, asked.Count);
        Assert.Contains(" 404 ", asked[0], StringComparison.Ordinal);
        Assert.Contains(" 200 ", asked[1], StringComparison.Ordinal);
        Assert.Contains(" 304 ", asked[2], StringComparison.Ordinal);
        Assert.Single(box.AuditRecords(), r => (string?)r["action"] == "root-refused");
    }
}
