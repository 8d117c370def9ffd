using System.Text.Json;
using KeyAgentd.Cli;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.RegistrySource;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>`registry validate` and `registry diff` as CI and reviewers use them: output and exit codes.</summary>
public sealed class RegistryCommandTests
{
    [Fact]
    public async Task Validate_exits_0_on_a_clean_source_and_1_with_file_line_code_and_fix()
    {
        using var source = SourceFixture.Standard();
        Assert.Equal(ExitCodes.Ok, await RegistryValidateCommand.RunAsync(source.Root, json: false, defaultDocument: false, new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now, TextWriter.Null, TextWriter.Null));
        source.Person("bob@example.com", "# bob", SshKeygen.Generate("dsa", 1024));
        var stdout = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await RegistryValidateCommand.RunAsync(source.Root, json: false, defaultDocument: false, new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now, stdout, TextWriter.Null));
        Assert.Contains("people/bob@example.com.keys:2: error dsa-not-allowed: bob@example.com: DSA keys", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("    fix: generate a new key", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_json_is_for_bots()
    {
        using var source = SourceFixture.Standard().File("groups.yaml", "ops: [alice@example.com, nobody]\ndev: [carol@example.com]\n");
        var stdout = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await RegistryValidateCommand.RunAsync(source.Root, json: true, defaultDocument: false, new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now, stdout, TextWriter.Null));
        using var document = JsonDocument.Parse(stdout.ToString());
        var problem = Assert.Single(document.RootElement.GetProperty("problems").EnumerateArray());
        Assert.Equal(("groups.yaml", 1, "unknown-person", "error"),
            (problem.GetProperty("file").GetString(), problem.GetProperty("line").GetInt32(), problem.GetProperty("code").GetString(), problem.GetProperty("severity").GetString()));
        Assert.Equal(1, document.RootElement.GetProperty("errors").GetInt32());
    }

    [Fact]
    public async Task Validate_escapes_hostile_text_before_it_reaches_a_terminal()
    {
        using var source = SourceFixture.Standard().File("groups.yaml", "ops: [\"alice\\e[31m\"]\ndev: [carol@example.com]\n");
        var stdout = new StringWriter();
        await RegistryValidateCommand.RunAsync(source.Root, json: false, defaultDocument: false, new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now, stdout, TextWriter.Null);
        Assert.DoesNotContain('\x1b', stdout.ToString());
        Assert.Contains("\\x1b", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_names_who_gains_and_loses_which_account_where_and_guards()
    {
        using var source = SourceFixture.Standard();
        var settings = new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now);
        new RegistryBuilder(settings).Build(source.Read(), source.Output, signer: null);
        string before = Path.Combine(source.Scratch, "before");
        Directory.CreateDirectory(before);
        foreach (string file in Directory.GetFiles(source.Output))
        {
            File.Copy(file, Path.Combine(before, Path.GetFileName(file)));
        }
        source.Person("dave@example.com", SshKeygen.Generate("ed25519", comment: "dave@laptop") + " # label=laptop")
            .File("groups.yaml", "ops: [alice@example.com]\ndev: [carol@example.com, dave@example.com]\n");
        new RegistryBuilder(settings with { Limits = new RemovalLimits(100, 1000) }).Build(source.Read(), source.Output, signer: null);

        var stdout = new StringWriter();
        Assert.Equal(ExitCodes.Ok, RegistryDiffCommand.Run(before, source.Output, new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now, new RemovalLimits(), json: false, stdout));
        string text = stdout.ToString();
        Assert.Contains("web-01 (changed)\n  - root: bob@example.com (desk) SHA256:", text, StringComparison.Ordinal);
        Assert.Contains("  + dev: dave@example.com (laptop) SHA256:", text, StringComparison.Ordinal);
        Assert.Contains("3 changed, 0 new, 0 removed, 0 unchanged document(s); 1 access(es) gained, 3 lost, 0 withdrawn, 0 restriction(s) changed; removal guard tripped on 0", text, StringComparison.Ordinal);

        var json = new StringWriter();
        Assert.Equal(ExitCodes.MassRemovalGuard, RegistryDiffCommand.Run(before, source.Output, new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now, new RemovalLimits(20, 1), json: true, json));
        using var document = JsonDocument.Parse(json.ToString());
        Assert.Contains(document.RootElement.GetProperty("documents").EnumerateArray(), d => d.GetProperty("guard_tripped").GetBoolean());
    }

    [Fact]
    public void Diff_reports_a_revoked_key_as_withdrawn_which_the_guard_never_holds_back()
    {
        using var source = SourceFixture.Standard();
        var settings = new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now);
        new RegistryBuilder(settings).Build(source.Read(), source.Output, signer: null);
        string before = Path.Combine(source.Scratch, "before");
        Directory.CreateDirectory(before);
        File.Copy(source.DocumentPath("web-01"), Path.Combine(before, "web-01.json"));
        source.File("revoked", SourceFixture.Bob + "\n");
        new RegistryBuilder(settings).Build(source.Read(), source.Output, signer: null);
        var stdout = new StringWriter();
        Assert.Equal(ExitCodes.Ok, RegistryDiffCommand.Run(before, source.Output, new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now, new RemovalLimits(1, 1), json: false, stdout));
        Assert.Contains("  x root: bob@example.com (desk) SHA256:", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("[revoked or expired]", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_shows_a_changed_restriction_or_expiry_as_its_own_counted_kind_of_change()
    {
        using var source = SourceFixture.Standard();
        source.File("access.yaml", source.Text("access.yaml").Replace("options: no-agent-forwarding", "options: no-pty,no-agent-forwarding,no-port-forwarding", StringComparison.Ordinal));
        var settings = new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now);
        new RegistryBuilder(settings).Build(source.Read(), source.Output, signer: null);
        string before = Path.Combine(source.Scratch, "before");
        ReadBackTests.CopyTree(source.Output, before);
        source.File("access.yaml", source.Text("access.yaml").Replace("options: no-pty,no-agent-forwarding,no-port-forwarding", "options: permitopen=\"*:*\"", StringComparison.Ordinal))
            .Person("carol@example.com", $"{SourceFixture.Carol} # label=laptop not_after=2031-06-30");
        new RegistryBuilder(settings).Build(source.Read(), source.Output, signer: null);

        var stdout = new StringWriter();
        Assert.Equal(ExitCodes.Ok, RegistryDiffCommand.Run(before, source.Output, new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now, new RemovalLimits(), json: false, stdout));
        string text = stdout.ToString();
        Assert.Contains("  ~ root: alice@example.com (laptop) SHA256:", text, StringComparison.Ordinal);
        Assert.Contains("options no-pty,no-agent-forwarding,no-port-forwarding -> permitopen=\"*:*\"", text, StringComparison.Ordinal);
        Assert.Contains("  ~ dev: carol@example.com (laptop) SHA256:", text, StringComparison.Ordinal);
        Assert.Contains("expiry-time=\"20300102000000Z\" -> expiry-time=\"20310701000000Z\"", text, StringComparison.Ordinal);
        // alice and bob on three hosts, and carol on dev-01.
        Assert.Contains("3 changed, 0 new, 0 removed, 0 unchanged document(s); 0 access(es) gained, 0 lost, 0 withdrawn, 7 restriction(s) changed;", text, StringComparison.Ordinal);

        var json = new StringWriter();
        RegistryDiffCommand.Run(before, source.Output, new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now, new RemovalLimits(), json: true, json);
        using var document = JsonDocument.Parse(json.ToString());
        var changes = document.RootElement.GetProperty("documents").EnumerateArray().SelectMany(d => d.GetProperty("changes").EnumerateArray()).ToList();
        Assert.Equal(7, changes.Count(c => c.GetProperty("change").GetString() == "restriction-changed"));
        var carol = Assert.Single(changes, c => c.GetProperty("owner").GetString() == "carol@example.com");
        Assert.Equal("expiry-time=\"20310701000000Z\"", carol.GetProperty("options_after").GetString());
        Assert.Equal(7, document.RootElement.GetProperty("restrictions_changed").GetInt32());
    }
}
