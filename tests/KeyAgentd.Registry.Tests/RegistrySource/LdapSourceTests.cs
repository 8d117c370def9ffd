using KeyAgentd.Cli;
using KeyAgentd.Core.Policy;
using KeyAgentd.RegistrySource;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>
/// The sources.yaml <c>ldap:</c> source against a real slapd on loopback (its own config, database and
/// test CA): LDAP people and groups mixed with file people, removals reaching the documents with their
/// source, refused keys named by DN, paging past the server's size limit, verified TLS, outages.
/// </summary>
[Trait("Category", "Integration")]
public sealed class LdapSourceTests : IDisposable
{
    private static readonly string DaveLaptop = SshKeygen.Generate("ed25519", comment: "dave@laptop");
    private static readonly string DaveDesk = SshKeygen.Generate("ecdsa", 256, comment: "dave@desk");
    private static readonly string Erin = SshKeygen.Generate("ed25519", comment: "erin@laptop");
    private static readonly string BobLdap = SshKeygen.Generate("ed25519", comment: "bob@ldap");

    private static readonly string DaveDn = $"uid=dave,{SlapdServer.People}";

    private readonly TempDirectory _lab = new("keyagentd-slapd-");
    private readonly SourceFixture _source = SourceFixture.Standard().Delete("people/bob@example.com.keys");
    private readonly SlapdServer? _slapd;
    private readonly string _passwordFile;

    public LdapSourceTests()
    {
        _passwordFile = Path.Combine(_lab.Path, "bind.pw");
        File.WriteAllText(_passwordFile, SlapdServer.ReaderPassword + "\n");
        if (SlapdServer.Executable() is null || !File.Exists("/usr/bin/ldapadd") || !File.Exists("/usr/bin/openssl"))
        {
            return;
        }
        _slapd = new SlapdServer(Path.Combine(_lab.Path, "slapd"));
        _slapd.Add(string.Join('\n',
            SlapdServer.PersonLdif("dave", DaveLaptop, DaveDesk),
            SlapdServer.PersonLdif("erin", Erin),
            SlapdServer.PersonLdif("bob@example.com", BobLdap),
            SlapdServer.PersonLdif("frank"),
            $"""
            dn: cn=admins,{SlapdServer.Groups}
            objectClass: groupOfNames
            cn: admins
            member: {DaveDn}
            member: uid=nobody,{SlapdServer.People}

            dn: cn=deployers,{SlapdServer.Groups}
            objectClass: posixGroup
            cn: deployers
            gidNumber: 5000
            memberUid: erin
            memberUid: carol@example.com

            dn: cn=oncall,{SlapdServer.Groups}
            objectClass: groupOfUniqueNames
            cn: oncall
            uniqueMember: uid=bob@example.com,{SlapdServer.People}#'0101'B
            uniqueMember: cn=admins,{SlapdServer.Groups}
            """));
        Sources();
        _source.File("access.yaml", """
            rules:
              - hosts: ["*"]
                accounts: [root]
                groups: [ops, ldap-admins]
              - hosts: ["*"]
                accounts: [deploy]
                groups: [ldap-deployers]
                people: [alice@example.com]
              - hosts: ["web-*"]
                accounts: [oncall]
                groups: [ldap-oncall]
            """);
        // groups.yaml's ops still names bob@example.com, whose keys now live only in the directory.
    }

    [SlapdFact]
    public void Ldap_people_and_groups_build_alongside_file_people()
    {
        Assert.Equal(ExitCodes.Ok, Build(out string stdout, out string stderr));
        Assert.Contains("3 new", stdout, StringComparison.Ordinal);
        string web = File.ReadAllText(_source.DocumentPath("web-01"));
        Assert.Contains(DaveLaptop, web, StringComparison.Ordinal);
        Assert.Contains(DaveDesk, web, StringComparison.Ordinal);
        Assert.Contains(Erin, web, StringComparison.Ordinal);
        Assert.Contains(BobLdap, web, StringComparison.Ordinal);
        Assert.Contains(SourceFixture.Alice, web, StringComparison.Ordinal);
        Assert.Contains($"\"source\": \"ldap:{DaveDn}\"", web, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(web);
        var accounts = json.RootElement.GetProperty("accounts");
        Assert.Equal(["alice@example.com", "bob@example.com", "dave"], Grants(accounts, "root"));
        // posixGroup memberUid: an LDAP uid (erin) and a file person (carol), plus a file person named in the rule.
        Assert.Equal(["alice@example.com", "carol@example.com", "erin"], Grants(accounts, "deploy"));
        // groupOfUniqueNames: a member DN with a #'…'B unique id, and a nested group.
        Assert.Equal(["bob@example.com", "dave"], Grants(accounts, "oncall"));
        Assert.Contains("1 member(s) of group \"ldap-admins\" are not people of the LDAP source", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("frank", web, StringComparison.Ordinal);
    }

    [SlapdFact]
    public void A_key_removed_in_ldap_leaves_the_next_build_and_diff_names_its_source()
    {
        Assert.Equal(ExitCodes.Ok, Build(out _, out _));
        string published = Path.Combine(_source.Scratch, "published");
        Directory.CreateDirectory(published);
        File.Copy(_source.DocumentPath("web-01"), Path.Combine(published, "web-01.json"));

        _slapd!.Modify($"dn: {DaveDn}\nchangetype: modify\ndelete: sshPublicKey\nsshPublicKey: {DaveDesk}\n");
        Assert.Equal(ExitCodes.Ok, Build(out _, out _, force: true));
        string web = File.ReadAllText(_source.DocumentPath("web-01"));
        Assert.Contains(DaveLaptop, web, StringComparison.Ordinal);
        Assert.DoesNotContain(DaveDesk, web, StringComparison.Ordinal);

        var diff = new StringWriter();
        RegistryDiffCommand.Run(published, _source.Output, Policy, SourceFixture.Now, new KeyAgentd.Core.Planning.RemovalLimits(), json: false, diff);
        Assert.Contains($"- root: dave {Fingerprint(DaveDesk)} ecdsa-sha2-nistp256 (from ldap:{DaveDn})", diff.ToString(), StringComparison.Ordinal);
    }

    [SlapdFact]
    public async Task A_refused_key_is_reported_with_its_dn_and_the_rest_still_builds()
    {
        _slapd!.Modify($"dn: {DaveDn}\nchangetype: modify\nadd: sshPublicKey\nsshPublicKey: {SshKeygen.Generate("dsa", 1024)}\n");
        var stdout = new StringWriter();
        Assert.Equal(ExitCodes.Ok, await RegistryValidateCommand.RunAsync(_source.Root, json: false, defaultDocument: false, Policy, SourceFixture.Now, stdout, TextWriter.Null));
        Assert.Contains($"ldap:{DaveDn} sshPublicKey:3: warning dsa-not-allowed: dave:", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("left out of the build", stdout.ToString(), StringComparison.Ordinal);

        Assert.Equal(ExitCodes.Ok, Build(out _, out _));
        string web = File.ReadAllText(_source.DocumentPath("web-01"));
        Assert.Contains(DaveLaptop, web, StringComparison.Ordinal);
        Assert.DoesNotContain("ssh-dss", web, StringComparison.Ordinal);
    }

    [SlapdFact]
    public async Task Control_characters_from_the_directory_are_escaped_in_reports()
    {
        // A value an attacker controls (their own entry): a terminal escape and a newline inside a key value.
        string hostile = "ssh-ed25519 AAAA\u001b[2J\u001b]0;pwned\u0007 evil\nssh-dss AAAA";
        _slapd!.Add($"dn: uid=mallory,{SlapdServer.People}\nobjectClass: inetOrgPerson\nobjectClass: ldapPublicKey\nuid: mallory\ncn: mallory\nsn: m\n" +
            $"sshPublicKey:: {Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(hostile))}\n");
        var stdout = new StringWriter();
        await RegistryValidateCommand.RunAsync(_source.Root, json: false, defaultDocument: false, Policy, SourceFixture.Now, stdout, TextWriter.Null);
        string text = stdout.ToString();
        Assert.Contains($"ldap:uid=mallory,{SlapdServer.People} sshPublicKey:1:", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u0007', text);
        Assert.Equal(ExitCodes.Ok, Build(out _, out string stderr));
        Assert.DoesNotContain('\u001b', stderr);
        Assert.DoesNotContain("AAAA\u001b", File.ReadAllText(_source.DocumentPath("web-01")), StringComparison.Ordinal);
    }

    [SlapdFact]
    public void A_person_in_files_and_ldap_is_an_error_and_merge_unions_their_keys()
    {
        string own = SshKeygen.Generate("ed25519", comment: "dave@file");
        _source.Person("dave", own);
        Assert.Equal(ExitCodes.Failed, Build(out _, out string stderr));
        Assert.Contains($"ldap:{DaveDn}: error duplicate-person: dave is defined both in the directory and in people/dave.keys", stderr, StringComparison.Ordinal);

        Sources(merge: true);
        Assert.Equal(ExitCodes.Ok, Build(out _, out stderr));
        string web = File.ReadAllText(_source.DocumentPath("web-01"));
        Assert.Contains(own, web, StringComparison.Ordinal);
        Assert.Contains(DaveLaptop, web, StringComparison.Ordinal);
    }

    [SlapdFact]
    public void An_ldap_group_named_like_a_groups_yaml_group_is_an_error_with_both_places()
    {
        Sources(prefix: "");
        _source.File("groups.yaml", "ops: [alice@example.com]\nadmins: [alice@example.com]\n");
        _source.File("access.yaml", "rules:\n  - hosts: [\"*\"]\n    accounts: [root]\n    groups: [admins]\n");
        Assert.Equal(ExitCodes.Failed, Build(out _, out string stderr));
        Assert.Contains($"ldap:cn=admins,{SlapdServer.Groups}: error duplicate-group: group \"admins\" is defined both in the directory and in groups.yaml:2:1", stderr, StringComparison.Ordinal);
    }

    [SlapdFact]
    public void Paged_search_reads_more_entries_than_the_server_size_limit()
    {
        var keys = Enumerable.Range(0, SlapdServer.SizeLimit * 2).Select(i => SshKeygen.Generate("ed25519", comment: $"user{i}")).ToList();
        _slapd!.Add(string.Join('\n', keys.Select((k, i) => SlapdServer.PersonLdif($"user{i}", k))));
        _source.File("access.yaml", "rules:\n  - hosts: [\"*\"]\n    accounts: [root]\n    people: [user0, user49]\n");
        // Without paging the server stops the reader at its size limit (ldapsearch exit 4, sizeLimitExceeded)...
        var plain = ProcessRunner.Run("/usr/bin/ldapsearch", ["-x", "-H", $"ldap://127.0.0.1:{_slapd.Port}", "-D", SlapdServer.ReaderDn, "-w", SlapdServer.ReaderPassword,
            "-b", SlapdServer.People, "-LLL", "(objectClass=ldapPublicKey)", "uid"]);
        Assert.Equal(4, plain.ExitCode);

        // ...and the source, reading in pages of 7, gets every entry.
        Sources(pageSize: 7);
        Assert.True(Build(out _, out string stderr) == ExitCodes.Ok, stderr);
        string web = File.ReadAllText(_source.DocumentPath("web-01"));
        Assert.Contains(keys[0], web, StringComparison.Ordinal);
        Assert.Contains(keys[^1], web, StringComparison.Ordinal);
    }

    [SlapdFact]
    public void Ldaps_with_the_test_ca_builds_and_an_unknown_ca_is_refused()
    {
        Sources(url: $"ldaps://127.0.0.1:{_slapd!.TlsPort}", caFile: _slapd.CaFile);
        Assert.True(Build(out _, out string stderr) == ExitCodes.Ok, stderr);
        Assert.Contains(DaveLaptop, File.ReadAllText(_source.DocumentPath("web-01")), StringComparison.Ordinal);

        Sources(url: $"ldaps://127.0.0.1:{_slapd.TlsPort}", caFile: _slapd.OtherCaFile);
        Assert.Equal(ExitCodes.Failed, Build(out _, out stderr));
        Assert.Contains("error ldap-unavailable: LDAP source ldaps://127.0.0.1:", stderr, StringComparison.Ordinal);
        Assert.Contains("failed (tls)", stderr, StringComparison.Ordinal);

        // No ca_file: the system's store, which does not hold the test CA either.
        Sources(url: $"ldaps://127.0.0.1:{_slapd.TlsPort}");
        Assert.Equal(ExitCodes.Failed, Build(out _, out stderr));
        Assert.Contains("failed (tls)", stderr, StringComparison.Ordinal);
    }

    [SlapdFact]
    public void StartTls_with_the_test_ca_builds_and_an_unknown_ca_is_refused()
    {
        Sources(url: $"ldap://127.0.0.1:{_slapd!.Port}", startTls: true, caFile: _slapd.CaFile);
        Assert.True(Build(out _, out string stderr) == ExitCodes.Ok, stderr);
        Assert.Contains(DaveLaptop, File.ReadAllText(_source.DocumentPath("web-01")), StringComparison.Ordinal);

        Sources(url: $"ldap://127.0.0.1:{_slapd.Port}", startTls: true, caFile: _slapd.OtherCaFile);
        Assert.Equal(ExitCodes.Failed, Build(out _, out stderr));
        Assert.Contains("failed (tls)", stderr, StringComparison.Ordinal);
    }

    [SlapdFact]
    public void Tls_reqcert_never_from_libldap_configuration_does_not_turn_verification_off()
    {
        // libldap reads LDAPTLS_REQCERT (like TLS_REQCERT in ldap.conf) when it starts, so the CLI runs as its own process.
        var clis = BuiltCli.All("KeyAgentd.Registry", "keyagentd-registry");
        var lax = new Dictionary<string, string> { ["LDAPTLS_REQCERT"] = "never" };
#pragma warning disable IDE0011 // every CLI over each transport: two loops, one body
        foreach (var (cli, prefix) in clis)
#pragma warning restore IDE0011
        foreach (var (url, startTls) in new[] { ($"ldaps://127.0.0.1:{_slapd!.TlsPort}", false), ($"ldap://127.0.0.1:{_slapd.Port}", true) })
        {
            Sources(url: url, startTls: startTls, caFile: _slapd.OtherCaFile);
            var refused = ProcessRunner.Run(cli, [.. prefix, "validate", _source.Root], environment: lax);
            Assert.Equal(ExitCodes.Failed, refused.ExitCode);
            Assert.True(refused.Stdout.Contains("failed (tls)", StringComparison.Ordinal), cli + ": " + refused.Stdout + refused.Stderr);

            Sources(url: url, startTls: startTls, caFile: _slapd.CaFile);
            var accepted = ProcessRunner.Run(cli, [.. prefix, "validate", _source.Root], environment: lax);
            Assert.True(accepted.ExitCode == ExitCodes.Ok, cli + ": " + accepted.Stdout + accepted.Stderr);
        }
    }

    [SlapdFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_directory_outage_fails_the_build_and_keep_last_replays_the_previous_answer()
    {
        Assert.Equal(ExitCodes.Ok, Build(out _, out _));
        byte[] before = File.ReadAllBytes(_source.DocumentPath("web-01"));
        // Kept for the build in its state directory, owner-only; nothing in --out, which is published and copied back.
        string kept = Path.Combine(_source.State, KeyAgentd.RegistrySource.Ldap.LdapCache.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kept));
        Assert.Empty(Directory.GetFiles(_source.Output, ".*"));
        _slapd!.Stop();

        Assert.Equal(ExitCodes.Failed, Build(out _, out string stderr));
        Assert.Contains("error ldap-unavailable: LDAP source ldap://127.0.0.1:", stderr, StringComparison.Ordinal);
        Assert.Contains("failed (unreachable)", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown-group", stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_source.DocumentPath("web-01")));

        Assert.Equal(ExitCodes.Ok, Build(out _, out stderr, keepLast: true));
        Assert.Contains("warning ldap-unavailable", stderr, StringComparison.Ordinal);
        Assert.Contains("reusing the directory's answer from the previous build (4 people, 3 groups", stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(_source.DocumentPath("web-01")));
    }

    [SlapdFact]
    public void A_directory_that_accepts_and_never_answers_fails_by_the_timeout()
    {
        Assert.Equal(ExitCodes.Ok, Build(out _, out _));
        Sources(timeout: 1);
        _slapd!.Pause();
        Assert.Equal(ExitCodes.Failed, Build(out _, out string stderr));
        Assert.Contains("failed (timeout)", stderr, StringComparison.Ordinal);
        Assert.Contains("no answer within 1 s", stderr, StringComparison.Ordinal);

        Assert.Equal(ExitCodes.Ok, Build(out _, out stderr, keepLast: true));
        Assert.Contains("reusing the directory's answer from the previous build", stderr, StringComparison.Ordinal);
    }

    [SlapdFact]
    public void Keep_last_without_a_previous_answer_still_fails()
    {
        _slapd!.Stop();
        Assert.Equal(ExitCodes.Failed, Build(out _, out string stderr, keepLast: true));
        Assert.Contains("the previous build left no LDAP answer to reuse", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_source.DocumentPath("web-01")));
    }

    [SlapdFact]
    public void The_bind_password_comes_from_an_environment_variable()
    {
        string variable = "KEYAGENTD_TEST_LDAP_PW_" + Environment.ProcessId;
        Environment.SetEnvironmentVariable(variable, SlapdServer.ReaderPassword);
        try
        {
            Sources(passwordEnv: variable);
            Assert.Equal(ExitCodes.Ok, Build(out _, out _));
            Assert.Contains(DaveLaptop, File.ReadAllText(_source.DocumentPath("web-01")), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
        Assert.Equal(ExitCodes.Failed, Build(out _, out string stderr));
        Assert.Contains($"failed (password): bind_password_env: the environment variable {variable} is not set", stderr, StringComparison.Ordinal);
    }

    [SlapdFact]
    public void A_wrong_password_is_a_clear_error()
    {
        File.WriteAllText(_passwordFile, "not-the-password\n");
        Assert.Equal(ExitCodes.Failed, Build(out _, out string stderr, keepLast: true));
        Assert.Contains($"failed (bind-failed): ldap://127.0.0.1:{_slapd!.Port}/: bind as {SlapdServer.ReaderDn} refused: invalid credentials", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ldap_section_mistakes_are_reported_with_file_and_line()
    {
        _source.File("sources.yaml", """
            ldap:
              url: ldap://ldap.example.org
              bind_dn: cn=reader,dc=example,dc=org
              bind_password: hunter2
              people: { base_dn: "ou=people,dc=example,dc=org", filter: "objectClass=*" }
              page_size: lots
            """);
        var stdout = new StringWriter();
        Assert.Equal(ExitCodes.Failed, await RegistryValidateCommand.RunAsync(_source.Root, json: false, defaultDocument: false, Policy, SourceFixture.Now, stdout, TextWriter.Null));
        string text = stdout.ToString();
        Assert.Contains("sources.yaml:4:3: error invalid-value: a password is never written in sources.yaml", text, StringComparison.Ordinal);
        Assert.Contains("is neither ldaps:// nor StartTLS", text, StringComparison.Ordinal);
        Assert.Contains("filter \"objectClass=*\" is not an LDAP filter in parentheses", text, StringComparison.Ordinal);
        Assert.Contains("page_size must be a number from 1 to 100000", text, StringComparison.Ordinal);
        Assert.Contains("bind_dn needs exactly one of bind_password_file and bind_password_env", text, StringComparison.Ordinal);
    }

    private static KeyPolicy Policy => new(null, TimeZoneInfo.Utc);

    private static string Fingerprint(string line) => KeyAgentd.Core.AuthorizedKeys.AuthorizedKeyLineParser.Parse(line).Key!.Sha256Fingerprint;

    private static string[] Grants(System.Text.Json.JsonElement accounts, string account) =>
        accounts.GetProperty(account).GetProperty("grants").EnumerateArray().Select(g => g.GetString()!).ToArray();

    private void Sources(string? url = null, bool startTls = false, string? caFile = null, bool merge = false, string prefix = "ldap-", int pageSize = 500, string? passwordEnv = null, int timeout = 10)
    {
        string password = passwordEnv is null ? $"bind_password_file: {_passwordFile}" : $"bind_password_env: {passwordEnv}";
        _source.File("sources.yaml", $"""
            ldap:
              url: {url ?? $"ldap://127.0.0.1:{_slapd?.Port ?? 389}"}
              start_tls: {(startTls ? "true" : "false")}
            {(caFile is null ? "" : $"  ca_file: {caFile}\n")}  bind_dn: {SlapdServer.ReaderDn}
              {password}
              people:
                base_dn: {SlapdServer.People}
              groups:
                base_dn: {SlapdServer.Groups}
                name_prefix: "{prefix}"
              merge: {(merge ? "true" : "false")}
              page_size: {pageSize}
              timeout: {timeout}
            """);
    }

    private int Build(out string stdout, out string stderr, bool keepLast = false, bool force = false)
    {
        var settings = new BuildSettings(Policy, SourceFixture.Now) { KeepLastOnSourceError = keepLast, Force = force, StateDirectory = _source.State };
        var (outWriter, errWriter) = (new StringWriter(), new StringWriter());
        int exit = BuiltOutput.Wait(() => RegistryBuildCommand.RunAsync(_source.Root, _source.Output, settings, signKey: null, outWriter, errWriter));
        (stdout, stderr) = (outWriter.ToString(), errWriter.ToString());
        return exit;
    }

    public void Dispose()
    {
        _slapd?.Dispose();
        _source.Dispose();
        _lab.Dispose();
    }
}
