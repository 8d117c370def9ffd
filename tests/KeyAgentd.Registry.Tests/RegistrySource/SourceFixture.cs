using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Source;
using KeyAgentd.RegistrySource;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>A registry source tree in a temp directory, written from inline text, plus the keys the tests grant.</summary>
internal sealed class SourceFixture : IDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public static readonly string Alice = SshKeygen.Generate("ed25519", comment: "alice@laptop");
    public static readonly string Bob = SshKeygen.Generate("ed25519", comment: "bob@desk");
    public static readonly string Carol = SshKeygen.Generate("ecdsa", 256, comment: "carol@laptop");
    public static readonly string Ci = SshKeygen.Generate("ed25519", comment: "ci@build");

    private readonly TempDirectory _temp = new("keyagentd-source-");

    public SourceFixture()
    {
        Directory.CreateDirectory(System.IO.Path.Combine(Root, "people"));
    }

    public string Root => System.IO.Path.Combine(_temp.Path, "src");

    public string Output => System.IO.Path.Combine(_temp.Path, "out");

    public string Scratch => _temp.Path;

    /// <summary>`registry build --state-dir`: the kept answers, beside --out and never inside it.</summary>
    public string State => System.IO.Path.Combine(_temp.Path, "state");

    /// <summary>alice and bob in ops, carol in dev; ops are root everywhere, dev is dev on dev hosts.</summary>
    public static SourceFixture Standard()
    {
        var fixture = new SourceFixture()
            .Person("alice@example.com", $"{Alice} # label=laptop")
            .Person("bob@example.com", $"{Bob} # label=desk")
            .Person("carol@example.com", $"{Carol} # label=laptop not_after=2030-01-01")
            .File("groups.yaml", """
                ops:
                  people: [alice@example.com, bob@example.com]
                dev: [carol@example.com]
                """)
            .File("hosts.yaml", """
                web-01: { env: prod, role: web }
                web-02: { env: prod, role: web }
                dev-01: { env: dev, role: web }
                """)
            .File("access.yaml", $$"""
                rules:
                  - hosts: ["*"]
                    accounts: [root]
                    groups: [ops]
                    options: no-agent-forwarding
                  - labels: { env: dev }
                    accounts: [dev]
                    groups: [dev]
                  - labels: { role: web }
                    accounts: [deploy]
                    keys:
                      - { key: {{Ci}}, owner: ci, label: ci-bot }
                """);
        return fixture;
    }

    public SourceFixture Person(string name, params string[] lines) =>
        File($"people/{name}.keys", string.Join('\n', lines) + "\n");

    public SourceFixture File(string relative, string text)
    {
        System.IO.File.WriteAllText(System.IO.Path.Combine(Root, relative), text);
        return this;
    }

    public string Text(string relative) => System.IO.File.ReadAllText(System.IO.Path.Combine(Root, relative));

    public SourceFixture Delete(string relative)
    {
        System.IO.File.Delete(System.IO.Path.Combine(Root, relative));
        return this;
    }

    public SourceTree Read() => SourceTreeReader.Read(Root);

    public SourceCompiler Compile(KeyPolicy? policy = null, bool includeDefault = false)
    {
        var compiler = new SourceCompiler(Read(), policy ?? new KeyPolicy(null, TimeZoneInfo.Utc), Now);
        compiler.CheckDocuments(includeDefault);
        return compiler;
    }

    public string DocumentPath(string host, string? directory = null) => System.IO.Path.Combine(directory ?? Output, host + ".json");

    public void Dispose() => _temp.Dispose();
}
