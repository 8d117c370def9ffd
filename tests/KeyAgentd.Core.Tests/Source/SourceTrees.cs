using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Source;

namespace KeyAgentd.Core.Tests.Source;

/// <summary>
/// Source trees built in memory, as the readers would hand them to the compiler: no files, no
/// ssh-keygen. A key is a fixed Ed25519 blob made from a one-byte seed (any 32 bytes are an Ed25519
/// public key on the wire), so each seed is a distinct key with a stable fingerprint.
/// </summary>
internal static class SourceTrees
{
    public static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public static string KeyLine(byte seed, string comment = "test")
    {
        byte[] material = Enumerable.Repeat(seed, 32).ToArray();
        return $"ssh-ed25519 {new WireBuilder().String("ssh-ed25519").String(material).ToBase64()} {comment}";
    }

    public static SourceLocation At(string file, int line = 1) => new(file, line);

    public static SourceKey Key(byte seed, string file, int line = 1, DateTimeOffset? notAfter = null)
    {
        string text = KeyLine(seed);
        return new SourceKey(text, null, notAfter, AuthorizedKeyLineParser.Parse(text).Key, At(file, line));
    }

    public static SourcePerson Person(string name, params byte[] seeds) =>
        new(name, seeds.Select((s, i) => Key(s, $"people/{name}.keys", i + 1)).ToList(), At($"people/{name}.keys", 0));

    public static SourceGroup Group(string name, string[] people, string[]? groups = null) =>
        new(name, people.Select(p => new SourceRef(p, At("groups.yaml"))).ToList(), (groups ?? []).Select(g => new SourceRef(g, At("groups.yaml"))).ToList(), At("groups.yaml"));

    public static SourceHost Host(string name, params (string Name, string Value)[] labels) =>
        new(name, labels.ToDictionary(l => l.Name, l => l.Value), At("hosts.yaml"));

    public static IReadOnlyList<SourceRef> Refs(params string[] names) => names.Select(n => new SourceRef(n, At("access.yaml"))).ToList();

    /// <summary>A rule at access.yaml line <paramref name="line"/> giving <paramref name="account"/> to people on hosts matching <paramref name="hosts"/>.</summary>
    public static SourceRule Rule(int line, string hosts, string account, params string[] people) => new(At("access.yaml", line))
    {
        Hosts = Refs(hosts),
        Accounts = Refs(account),
        People = Refs(people),
    };

    public static SourceTree Tree(IReadOnlyList<SourcePerson> people, IReadOnlyList<SourceRule> rules, IReadOnlyList<SourceHost>? hosts = null,
        IReadOnlyList<SourceGroup>? groups = null, IReadOnlyList<RevokedEntry>? revoked = null) =>
        new(people, groups ?? [], rules, hosts, revoked ?? []);

    public static SourceCompiler Compile(SourceTree tree, KeyPolicyOptions? options = null) =>
        new(tree, new KeyPolicy(options, TimeZoneInfo.Utc), Now);

    /// <summary>Each problem as "code at location", the form a CI bot matches on.</summary>
    public static IEnumerable<string> ProblemCodes(SourceCompiler compiler) =>
        compiler.Problems.Select(p => $"{p.Severity.ToString().ToLowerInvariant()} {p.Code} at {p.Location}");
}
