using System.Buffers.Binary;
using System.Text;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Core.Source;
using KeyAgentd.RegistrySource;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>
/// `registry build`'s decision alone: which documents are new, changed, re-issued, unchanged or removed,
/// their serial, and the removal guard per document, from the source's rendering and the bytes the
/// directories hold. Everything in memory: no disk, no ssh-keygen.
/// </summary>
public sealed class BuildPlanTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static readonly BuildSettings Settings = new(new KeyPolicy(null, TimeZoneInfo.Utc), Now) { Limits = new RemovalLimits(20, 1) };

    private static readonly IReadOnlyList<string> Keys = Enumerable.Range(1, 4).Select(i => KeyLine((byte)i)).ToList();

    [Fact]
    public void A_first_build_makes_every_document_new_under_the_build_time_as_serial()
    {
        var plan = new BuildPlan(Settings, highestSerial: 0, signing: false);
        var web = Target("web", Keys);
        var decision = plan.Decide(web, Nothing());
        Assert.Equal(BuildChange.New, decision.Change);
        Assert.Equal(Now.ToUnixTimeSeconds(), decision.Header!.Serial);
        Assert.Equal((Now, Now + Settings.Validity), (decision.Header.IssuedAt, decision.Header.ExpiresAt));
        Assert.Null(decision.Guarded);
        Assert.Equal(["web"], plan.New);
        Assert.False(plan.Stops);
    }

    [Fact]
    public void The_serial_moves_past_the_highest_serial_seen_when_that_is_ahead_of_the_clock()
    {
        long ahead = Now.ToUnixTimeSeconds() + 500;
        var plan = new BuildPlan(Settings, highestSerial: ahead, signing: false);
        Assert.Equal(ahead + 1, plan.Serial);
        Assert.Equal(ahead + 1, plan.Decide(Target("web", Keys), Nothing()).Header!.Serial);
    }

    [Fact]
    public void A_document_the_source_still_renders_byte_for_byte_is_left_alone()
    {
        var web = Target("web", Keys);
        var held = Built(web, serial: 42, issued: Now.AddDays(-1));
        var plan = new BuildPlan(Settings, highestSerial: 42, signing: true);
        var decision = plan.Decide(web, Held(held, signed: true));
        Assert.Equal(BuildChange.Unchanged, decision.Change);
        Assert.Null(decision.Header);
        Assert.Null(decision.SignAsIs);
        Assert.Equal(1, plan.Unchanged);
        Assert.Empty(plan.New.Concat(plan.Changed).Concat(plan.Reissued));
    }

    [Fact]
    public void An_unchanged_document_without_a_signature_is_signed_as_the_bytes_judged_when_the_build_signs()
    {
        var web = Target("web", Keys);
        var held = Built(web, serial: 42, issued: Now.AddDays(-1));
        Assert.Same(held.Bytes, new BuildPlan(Settings, 42, signing: true).Decide(web, Held(held, signed: false)).SignAsIs);
        Assert.Null(new BuildPlan(Settings, 42, signing: false).Decide(web, Held(held, signed: false)).SignAsIs);
    }

    [Fact]
    public void The_same_content_near_expiry_is_reissued_under_the_new_serial()
    {
        var web = Target("web", Keys);
        // Issued six days ago with seven days' validity: one day left, under --refresh-before's two.
        var held = Built(web, serial: 42, issued: Now.AddDays(-6));
        var plan = new BuildPlan(Settings, 42, signing: false);
        var decision = plan.Decide(web, Held(held));
        Assert.Equal(BuildChange.Reissued, decision.Change);
        Assert.Equal(plan.Serial, decision.Header!.Serial);
        Assert.Equal(["web"], plan.Reissued);
    }

    [Fact]
    public void The_same_content_under_metadata_no_build_writes_is_rebuilt_as_changed()
    {
        // Nothing an editor of the published copy chose is kept: its bytes are not believed to be the source's.
        var web = Target("web", Keys);
        var future = Built(web, serial: 42, issued: Now.AddHours(1));
        Assert.Equal(BuildChange.Changed, new BuildPlan(Settings, 42, false).Decide(web, Held(future)).Change);
        var longLived = Built(web, serial: 42, issued: Now.AddDays(-1), validity: TimeSpan.FromDays(30));
        Assert.Equal(BuildChange.Changed, new BuildPlan(Settings, 42, false).Decide(web, Held(longLived)).Change);
    }

    [Fact]
    public void Other_bytes_under_a_build_header_are_a_changed_document()
    {
        var before = Built(Target("web", Keys.Take(3).ToList()), serial: 42, issued: Now.AddDays(-1));
        var plan = new BuildPlan(Settings, 42, signing: false);
        Assert.Equal(BuildChange.Changed, plan.Decide(Target("web", Keys), Held(before)).Change);
        Assert.Equal(["web"], plan.Changed);
    }

    [Fact]
    public void A_document_that_removes_most_keys_trips_the_guard_and_stops_the_build()
    {
        var before = Built(Target("web", Keys), serial: 42, issued: Now.AddDays(-1));
        var plan = new BuildPlan(Settings, 42, signing: false);
        var decision = plan.Decide(Target("web", Keys.Take(1).ToList()), Held(before));
        Assert.True(decision.Guarded!.Guard.Tripped);
        Assert.Null(decision.Header!.RemovalApproval);
        Assert.Equal("web", Assert.Single(plan.Guarded).Document);
        Assert.True(plan.Stops);
    }

    [Fact]
    public void Approve_removal_writes_an_approval_for_the_build_serial_and_does_not_stop()
    {
        var before = Built(Target("web", Keys), serial: 42, issued: Now.AddDays(-1));
        var plan = new BuildPlan(Settings with { ApproveRemoval = "offboarding" }, 42, signing: false);
        var decision = plan.Decide(Target("web", Keys.Take(1).ToList()), Held(before));
        Assert.Equal(new KeyAgentd.Core.Snapshot.RemovalApproval(plan.Serial, 3, "offboarding"), decision.Header!.RemovalApproval);
        Assert.False(plan.Stops);
    }

    [Fact]
    public void Force_does_not_stop_and_writes_no_approval()
    {
        var before = Built(Target("web", Keys), serial: 42, issued: Now.AddDays(-1));
        var plan = new BuildPlan(Settings with { Force = true }, 42, signing: false);
        var decision = plan.Decide(Target("web", Keys.Take(1).ToList()), Held(before));
        Assert.NotNull(decision.Guarded);
        Assert.Null(decision.Header!.RemovalApproval);
        Assert.False(plan.Stops);
    }

    [Fact]
    public void The_guard_compares_with_the_published_tree_not_the_output_directory()
    {
        var web = Target("web", Keys.Take(1).ToList());
        var output = Built(web, serial: 42, issued: Now.AddDays(-1));
        var published = Built(Target("web", Keys), serial: 41, issued: Now.AddDays(-2));
        var plan = new BuildPlan(Settings, 42, signing: false);
        var decision = plan.Decide(web, new CurrentDocument(output, published, SignedInOutput: true));
        Assert.Equal(BuildChange.Unchanged, decision.Change);
        Assert.NotNull(decision.Guarded);
        Assert.True(plan.Stops);
    }

    [Fact]
    public void A_published_copy_that_is_no_registry_document_is_an_error_naming_it()
    {
        var garbage = new DocumentCopy("{\"not\": \"a document\"}"u8.ToArray(), null, "/published/web.json");
        var error = Assert.Throws<InvalidDataException>(() => new BuildPlan(Settings, 0, false).Decide(Target("web", Keys), new CurrentDocument(Nothing().InOutput, garbage, false)));
        Assert.Contains("/published/web.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_documents_a_build_wrote_and_the_source_no_longer_builds_are_removed()
    {
        var plan = new BuildPlan(Settings, 42, signing: false);
        plan.Decide(Target("web", Keys), Nothing());
        var inOutput = new Dictionary<string, PublishedDocument>(StringComparer.Ordinal)
        {
            ["web"] = new(42, Now.AddDays(5), "sha256:web"),
            ["old-z"] = new(42, Now.AddDays(5), "sha256:z"),
            ["old-a"] = new(42, Now.AddDays(5), "sha256:a"),
            ["hand-written"] = new(42, Now.AddDays(5), ContentDigest: null),
        };
        Assert.Equal(["old-a", "old-z"], plan.Removals(inOutput));
    }

    /// <summary>One host, "web", whose account deploy holds these keys, rendered as the build renders it.</summary>
    private static RenderedDocument Target(string host, IReadOnlyList<string> keys)
    {
        var at = new SourceLocation("people/alice.keys", 1);
        var person = new SourcePerson("alice", keys.Select(k => new SourceKey(k, null, null, AuthorizedKeyLineParser.Parse(k).Key, at)).ToList(), at);
        var rule = new SourceRule(new SourceLocation("access.yaml", 1))
        {
            Hosts = [new SourceRef("*", at)],
            Accounts = [new SourceRef("deploy", at)],
            People = [new SourceRef("alice", at)],
        };
        var tree = new SourceTree([person], [], [rule], [new SourceHost(host, new Dictionary<string, string>(), at)], []);
        var compiler = new SourceCompiler(tree, Settings.Policy, Now);
        compiler.CheckDocuments(includeDefault: false);
        Assert.False(compiler.HasErrors, string.Join("; ", compiler.Problems.Select(p => p.Message)));
        return Assert.Single(RenderedDocument.All(compiler, includeDefault: false));
    }

    /// <summary>The bytes a build at <paramref name="issued"/> wrote for this target, with the header read back as the edge reads it.</summary>
    private static DocumentCopy Built(RenderedDocument target, long serial, DateTimeOffset issued, TimeSpan? validity = null)
    {
        byte[] bytes = SnapshotDocumentWriter.Render(new DocumentHeader(serial, issued, issued + (validity ?? Settings.Validity), target.Audience, target.ContentDigest), target.Body);
        Assert.True(PublishedDocument.TryRead(bytes, out var header));
        return new DocumentCopy(bytes, header, "/out/" + target.Name + ".json");
    }

    private static CurrentDocument Held(DocumentCopy copy, bool signed = true) => new(copy, copy, signed);

    private static CurrentDocument Nothing()
    {
        var none = new DocumentCopy(null, null, "/out/web.json");
        return new CurrentDocument(none, none, SignedInOutput: false);
    }

    /// <summary>An ed25519 public key line built in memory: a distinct 32-byte key per seed.</summary>
    private static string KeyLine(byte seed)
    {
        byte[] type = Encoding.ASCII.GetBytes("ssh-ed25519");
        byte[] blob = new byte[4 + type.Length + 4 + 32];
        BinaryPrimitives.WriteInt32BigEndian(blob, type.Length);
        type.CopyTo(blob, 4);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(4 + type.Length), 32);
        blob.AsSpan(8 + type.Length).Fill(seed);
        return $"ssh-ed25519 {Convert.ToBase64String(blob)} alice-{seed}";
    }
}
