using System.Text;
using System.Text.Json;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Tests.Snapshot;

/// <summary>Registry documents for tests: README's example ("The registry") with real keys, and a serializer for variations.</summary>
internal static class RegistryJson
{
    public static string Alice => SshKeygen.Generate("ed25519", 0, "alice laptop");

    public static string Bob => SshKeygen.Generate("rsa", 2048, "bob");

    public static string CiBot => SshKeygen.Generate("ed25519", 0, "ci-bot");

    public static string Revoked => SshKeygen.Generate("ed25519", 0, "revoked one");

    public static string RevokedFingerprint => Core.AuthorizedKeys.AuthorizedKeyLineParser.Parse(Revoked).Key!.Sha256Fingerprint;

    /// <summary>README's example document ("The registry"), with generated keys in place of the ellipses.</summary>
    public static Dictionary<string, object?> ReadmeExample() => new()
    {
        ["schema"] = "keyagentd.registry/v1",
        ["serial"] = 42,
        ["issued_at"] = "2026-11-21T10:00:00Z",
        ["expires_at"] = "2026-12-21T10:00:00Z",
        ["people"] = new Dictionary<string, object?>
        {
            ["alice@example.com"] = new Dictionary<string, object?>
            {
                ["keys"] = new object[] { new Dictionary<string, object?> { ["key"] = Alice, ["label"] = "laptop", ["not_after"] = "2027-06-01T00:00:00Z" } },
            },
            ["bob@example.com"] = new Dictionary<string, object?> { ["keys"] = new object[] { new Dictionary<string, object?> { ["key"] = Bob } } },
        },
        ["accounts"] = new Dictionary<string, object?>
        {
            ["deploy"] = new Dictionary<string, object?>
            {
                ["grants"] = new[] { "alice@example.com", "bob@example.com" },
                ["options"] = "no-agent-forwarding,from=\"10.0.0.0/8\"",
                ["keys"] = new object[] { new Dictionary<string, object?> { ["key"] = CiBot, ["owner"] = "ci" } },
            },
            ["root"] = new Dictionary<string, object?> { ["grants"] = new[] { "alice@example.com" } },
        },
        ["revoked"] = new[] { RevokedFingerprint },
    };

    public static byte[] Bytes(object document) => JsonSerializer.SerializeToUtf8Bytes(document);

    public static byte[] Bytes(string json) => Encoding.UTF8.GetBytes(json);

    public static RegistrySnapshot Parse(object document) => Parse(Bytes(document));

    public static RegistrySnapshot Parse(byte[] json)
    {
        Assert.True(RegistrySnapshotParser.TryParse(json, out var snapshot, out var error), error?.ToString());
        return snapshot;
    }

    public static SnapshotError Refuse(byte[] json)
    {
        Assert.False(RegistrySnapshotParser.TryParse(json, out var snapshot, out var error));
        Assert.Null(snapshot);
        return error;
    }

    public static SnapshotError Refuse(string json) => Refuse(Bytes(json));

    /// <summary>A minimal valid document with <paramref name="accountsJson"/> and <paramref name="peopleJson"/> spliced in.</summary>
    public static string Minimal(string accountsJson = "{}", string peopleJson = "{}", string extra = "") =>
        $$"""{"schema":"keyagentd.registry/v1","serial":1,"people":{{peopleJson}},"accounts":{{accountsJson}}{{extra}}}""";
}
