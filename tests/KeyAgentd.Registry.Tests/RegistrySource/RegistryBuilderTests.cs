using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Core.Source;
using KeyAgentd.RegistrySource;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>`registry build`: what each host's document says, determinism, and serials that move only with content.</summary>
public sealed class RegistryBuilderTests
{
    private static readonly KeyPolicy Policy = new(null, TimeZoneInfo.Utc);

    [Fact]
    public void Each_host_gets_exactly_its_accounts_and_keys_as_the_daemon_expands_them()
    {
        using var source = SourceFixture.Standard();
        Build(source, SourceFixture.Now);
        var web = Expand(source, "web-01");
        Assert.Equal(["deploy", "root"], web.Accounts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { Fp(SourceFixture.Alice), Fp(SourceFixture.Bob) }.Order(StringComparer.Ordinal), web.Accounts["root"].Select(k => k.Fingerprint).Order(StringComparer.Ordinal));
        Assert.All(web.Accounts["root"], k => Assert.Contains("no-agent-forwarding", k.Options.Render(), StringComparison.Ordinal));
        var ci = Assert.Single(web.Accounts["deploy"]);
        Assert.Equal(("ci", "ci-bot", Fp(SourceFixture.Ci)), (ci.Owner, ci.Label, ci.Fingerprint));

        var dev = Expand(source, "dev-01");
        Assert.Equal(["deploy", "dev", "root"], dev.Accounts.Keys.Order(StringComparer.Ordinal));
        var carol = Assert.Single(dev.Accounts["dev"]);
        Assert.Equal("carol@example.com", carol.Owner);
        Assert.Contains("expiry-time=\"20300102000000Z\"", carol.Render(), StringComparison.Ordinal);

        var snapshot = Parse(source, "web-01");
        Assert.Equal(["alice@example.com", "bob@example.com"], snapshot.People.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("\"audience\": [\n    \"web-01\"\n  ]", File.ReadAllText(source.DocumentPath("web-01")), StringComparison.Ordinal);
        Assert.Equal(SourceFixture.Now.AddDays(7), snapshot.ExpiresAt);
    }

    [Fact]
    public void Building_twice_gives_identical_bytes_and_leaves_files_untouched()
    {
        using var source = SourceFixture.Standard();
        Build(source, SourceFixture.Now);
        var first = Snapshot(source.Output);
        var times = Directory.GetFiles(source.Output).ToDictionary(p => p, File.GetLastWriteTimeUtc);
        var result = Build(source, SourceFixture.Now.AddHours(1));
        Assert.Equal((0, 3), (result.Changed.Count + result.New.Count + result.Reissued.Count, result.Unchanged));
        Assert.Equal(first, Snapshot(source.Output));
        Assert.All(times, t => Assert.Equal(t.Value, File.GetLastWriteTimeUtc(t.Key)));

        // A fresh directory at the same build time reproduces the same bytes.
        string other = Path.Combine(source.Scratch, "other");
        new RegistryBuilder(new BuildSettings(Policy, SourceFixture.Now)).Build(source.Read(), other, signer: null);
        Assert.Equal(first.Values, Snapshot(other).Values);
    }

    [Fact]
    public void Only_documents_whose_content_changed_get_a_new_serial()
    {
        using var source = SourceFixture.Standard();
        Build(source, SourceFixture.Now);
        var before = Snapshot(source.Output);
        long oldSerial = Parse(source, "dev-01").Serial;
        source.Person("dave@example.com", SshKeygen.Generate("ed25519", comment: "dave@laptop"))
            .File("groups.yaml", """
                ops:
                  people: [alice@example.com, bob@example.com]
                dev: [carol@example.com, dave@example.com]
                """);
        var result = Build(source, SourceFixture.Now.AddHours(1));
        Assert.Equal(["dev-01"], result.Changed);
        Assert.Equal(2, result.Unchanged);
        var after = Snapshot(source.Output);
        Assert.Equal(before["web-01.json"], after["web-01.json"]);
        Assert.Equal(before["web-02.json"], after["web-02.json"]);
        Assert.True(Parse(source, "dev-01").Serial > oldSerial);
        Assert.Contains("dave@example.com", after["dev-01.json"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_serial_never_goes_back_even_when_the_clock_does()
    {
        using var source = SourceFixture.Standard();
        Build(source, SourceFixture.Now);
        long first = Parse(source, "web-01").Serial;
        source.Person("bob@example.com", SourceFixture.Carol.Replace("carol", "bob", StringComparison.Ordinal));
        source.Delete("people/carol@example.com.keys").File("groups.yaml", "ops: [alice@example.com, bob@example.com]\ndev: []\n");
        Build(source, SourceFixture.Now.AddDays(-1));
        Assert.Equal(first + 1, Parse(source, "web-01").Serial);
    }

    [Fact]
    public void Documents_near_expiry_are_reissued_with_the_same_content()
    {
        using var source = SourceFixture.Standard();
        Build(source, SourceFixture.Now);
        string digest = Digest(source, "web-01");
        var result = Build(source, SourceFixture.Now.AddDays(5).AddHours(1));
        Assert.Equal(3, result.Reissued.Count);
        Assert.Equal(digest, Digest(source, "web-01"));
        Assert.Equal(SourceFixture.Now.AddDays(12).AddHours(1), Parse(source, "web-01").ExpiresAt);
    }

    [Fact]
    public void A_host_leaving_the_inventory_loses_its_document_and_signature()
    {
        using var source = SourceFixture.Standard();
        Build(source, SourceFixture.Now);
        File.WriteAllText(source.DocumentPath("web-02") + ".sig", "stale");
        File.WriteAllText(source.DocumentPath("registry"), "{\"schema\": \"keyagentd.registry/v1\", \"serial\": 1, \"expires_at\": \"2027-01-01T00:00:00Z\"}");
        source.File("hosts.yaml", "web-01: { env: prod, role: web }\ndev-01: { env: dev, role: web }\n");
        var result = Build(source, SourceFixture.Now);
        Assert.Equal(["web-02"], result.Deleted);
        Assert.False(File.Exists(source.DocumentPath("web-02")));
        Assert.False(File.Exists(source.DocumentPath("web-02") + ".sig"));
        Assert.True(File.Exists(source.DocumentPath("registry")));
        Assert.Empty(Directory.GetDirectories(source.Output));
    }

    [Fact]
    public void A_time_limited_grant_becomes_account_keys_with_the_earlier_not_after()
    {
        using var source = SourceFixture.Standard().File("access.yaml", """
            rules:
              - hosts: [web-01]
                accounts: [dba]
                people: [carol@example.com, alice@example.com]
                not_after: 2027-03-31
            """);
        Build(source, SourceFixture.Now);
        var snapshot = Parse(source, "web-01");
        var dba = snapshot.Accounts["dba"];
        Assert.Empty(dba.Grants);
        Assert.Equal([("alice@example.com", new DateTimeOffset(2027, 4, 1, 0, 0, 0, TimeSpan.Zero)), ("carol@example.com", new DateTimeOffset(2027, 4, 1, 0, 0, 0, TimeSpan.Zero))],
            dba.Keys.Select(k => (k.Owner!, k.NotAfter!.Value)));
        // Every inventory host gets a document; one no rule grants anything is empty, so its accounts lose everything.
        Assert.Empty(Parse(source, "web-02").Accounts);
    }

    [Fact]
    public void The_default_document_holds_the_rules_for_every_host()
    {
        using var source = SourceFixture.Standard();
        new RegistryBuilder(new BuildSettings(Policy, SourceFixture.Now) { DefaultDocument = true }).Build(source.Read(), source.Output, signer: null);
        var snapshot = Parse(source, RegistryBuilder.DefaultDocumentName);
        Assert.Equal(["root"], snapshot.Accounts.Keys);
        Assert.Contains("\"audience\": [\n    \"*\"\n  ]", File.ReadAllText(source.DocumentPath(RegistryBuilder.DefaultDocumentName)), StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_source_builds_nothing()
    {
        using var source = SourceFixture.Standard().Person("bob@example.com", SshKeygen.Generate("dsa", 1024));
        var result = new RegistryBuilder(new BuildSettings(Policy, SourceFixture.Now)).Build(source.Read(), source.Output, signer: null);
        Assert.Equal(BuildOutcome.SourceInvalid, result.Outcome);
        Assert.False(Directory.Exists(source.Output));
    }

    [Fact]
    public void The_removal_guard_stops_a_build_that_would_empty_hosts_unless_approved()
    {
        using var source = SourceFixture.Standard();
        Build(source, SourceFixture.Now);
        var before = Snapshot(source.Output);
        source.File("groups.yaml", "ops: []\ndev: [carol@example.com]\n");
        var limits = new RemovalLimits(50, 1);
        var refused = new RegistryBuilder(new BuildSettings(Policy, SourceFixture.Now) { Limits = limits }).Build(source.Read(), source.Output, signer: null);
        Assert.Equal(BuildOutcome.GuardTripped, refused.Outcome);
        Assert.Equal(["web-01", "web-02"], refused.Guarded.Select(g => g.Document).Order(StringComparer.Ordinal));
        Assert.Equal(before, Snapshot(source.Output));

        var approved = new RegistryBuilder(new BuildSettings(Policy, SourceFixture.Now) { Limits = limits, ApproveRemoval = "ops disbanded (CHG-42)" })
            .Build(source.Read(), source.Output, signer: null);
        Assert.Equal(BuildOutcome.Built, approved.Outcome);
        var snapshot = Parse(source, "web-01");
        Assert.Equal(new RemovalApproval(snapshot.Serial, 2, "ops disbanded (CHG-42)"), snapshot.RemovalApproval);
        // dev-01 loses 2 of its 4 keys (carol and the CI key stay): not over 50%, so it needs no approval.
        Assert.Null(Parse(source, "dev-01").RemovalApproval);
    }

    [Fact]
    public void Two_builds_never_interleave_and_a_crashed_ones_staging_is_removed()
    {
        using var source = SourceFixture.Standard();
        Build(source, SourceFixture.Now);
        Directory.CreateDirectory(Path.Combine(source.Output, ".staging-999999"));
        using (StagingDirectory.Create(source.Output))
        {
            var error = Assert.Throws<IOException>(() => new RegistryBuilder(new BuildSettings(Policy, SourceFixture.Now)).Build(source.Read(), source.Output, signer: null));
            Assert.Contains("another keyagentd-registry build or sign", error.Message, StringComparison.Ordinal);
        }
        Build(source, SourceFixture.Now);
        Assert.Empty(Directory.GetDirectories(source.Output));
    }

    private static BuildResult Build(SourceFixture source, DateTimeOffset now)
    {
        var result = new RegistryBuilder(new BuildSettings(Policy, now)).Build(source.Read(), source.Output, signer: null);
        Assert.Equal(BuildOutcome.Built, result.Outcome);
        return result;
    }

    internal static RegistrySnapshot Parse(SourceFixture source, string host, string? directory = null) => BuiltOutput.Parse(source, host, directory);

    private static DesiredState Expand(SourceFixture source, string host)
    {
        var state = SnapshotExpander.Expand(Parse(source, host), Policy, SourceFixture.Now);
        Assert.Empty(state.Rejections);
        return state;
    }

    private static string Digest(SourceFixture source, string host)
    {
        Assert.True(PublishedDocument.TryRead(File.ReadAllBytes(source.DocumentPath(host)), out var document));
        return document.ContentDigest!;
    }

    private static string Fp(string line) => Core.AuthorizedKeys.AuthorizedKeyLineParser.Parse(line).Key!.Sha256Fingerprint;

    internal static SortedDictionary<string, string> Snapshot(string directory) => BuiltOutput.Snapshot(directory);
}
