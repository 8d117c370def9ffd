using System.Text;
using KeyAgentd.Trust.Root;
using KeyAgentd.Trust.Tests.Support;
using static KeyAgentd.Trust.Tests.Support.RootDocuments;

namespace KeyAgentd.Trust.Tests.Root;

public class TrustRootParserTests
{
    private static readonly SignerKey Alice = Key("alice");
    private static readonly SignerKey Bob = Key("bob", "ecdsa");
    private static readonly SignerKey Ci = Key("ci");

    private static TrustRootDocument Sample() => Document(3, [("alice", Alice), ("bob", Bob)], 2, [("ci", Ci)]) with
    {
        RevokedSigners = ["SHA256:" + new string('A', 43)],
        MaxSnapshotValidity = TimeSpan.FromDays(7),
    };

    private static string Json() => Encoding.UTF8.GetString(TrustRootWriter.Render(Sample()));

    private static string Refusal(string json) =>
        Assert.Throws<TrustRootFormatException>(() => TrustRootParser.Parse(Encoding.UTF8.GetBytes(json), 2048)).Message;

    [Fact]
    public void The_writer_and_the_parser_round_trip_to_the_same_bytes()
    {
        byte[] bytes = TrustRootWriter.Render(Sample());
        var parsed = TrustRootParser.Parse(bytes, 2048);

        Assert.Equal(3, parsed.Version);
        Assert.Equal(["alice", "bob"], parsed.RootKeys.Select(k => k.Principal));
        Assert.Equal(Ci.Key, parsed.SnapshotSigners.Single().Key);
        Assert.Equal(TimeSpan.FromDays(7), parsed.MaxSnapshotValidity);
        Assert.Equal(bytes, TrustRootWriter.Render(parsed));
        Assert.EndsWith("}\n", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_field_is_refused_not_ignored_since_it_could_be_a_restriction()
    {
        Assert.Contains("unknown field \"revoked_root_keys\"", Refusal(Json().Replace("\"version\"", "\"revoked_root_keys\": [],\n  \"version\"", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("root has an unknown field \"quorum\"", Refusal(Json().Replace("\"threshold\": 2", "\"threshold\": 2, \"quorum\": 1", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_field_given_twice_is_refused()
    {
        Assert.Contains("\"version\" twice", Refusal(Json().Replace("\"version\": 3", "\"version\": 3, \"version\": 4", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"schema\": \"keyagentd-root/1\"", "\"schema\": \"keyagentd-root/2\"", "expected \"keyagentd-root/1\"")]
    [InlineData("\"version\": 3", "\"version\": 0", "version is 0, outside")]
    [InlineData("\"version\": 3", "\"version\": \"3\"", "version is not an integer")]
    [InlineData("\"expires_at\": \"2027-06-01T00:00:00Z\"", "\"expires_at\": \"2027-06-01T00:00:00+02:00\"", "not a UTC time")]
    [InlineData("\"threshold\": 2", "\"threshold\": 3", "no successor could ever be signed")]
    [InlineData("\"principals\": \"ci\"", "\"principals\": \"*\"", "is not a principal name")]
    [InlineData("\"principal\": \"alice\"", "\"principal\": \"al ice\"", "is not a principal name")]
    [InlineData("\"principal\": \"alice\"", "\"principal\": \"bob\"", "1 distinct principal")]
    public void A_broken_rule_is_refused_with_the_field_named(string from, string to, string expected)
    {
        string json = Json();
        Assert.Contains(from, json, StringComparison.Ordinal);
        Assert.Contains(expected, Refusal(json.Replace(from, to, StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_control_character_in_a_principal_is_refused_and_never_echoed_raw()
    {
        string message = Refusal(Json().Replace("\"principal\": \"alice\"", "\"principal\": \"ali\\u001b[2Jce\"", StringComparison.Ordinal));

        Assert.Contains("is not a principal name", message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', message);
    }

    [Fact]
    public void A_weak_or_duplicate_signer_key_is_refused()
    {
        var weak = SignerKey.Get("rsa", 1024, "weak");
        var document = Document(1, [("alice", Alice)], 1, [("ci", weak)]);
        Assert.Contains("1024-bit RSA key", Refusal(Encoding.UTF8.GetString(TrustRootWriter.Render(document))), StringComparison.Ordinal);

        var twice = Document(1, [("alice", Alice), ("bob", Alice)], 1, [("ci", Ci)]);
        Assert.Contains("lists " + Alice.Key.Sha256Fingerprint + " twice", Refusal(Encoding.UTF8.GetString(TrustRootWriter.Render(twice))), StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_for_publishing_refuse_an_expired_or_too_long_lived_root()
    {
        Assert.Empty(TrustRootRules.CheckPublishable(Sample() with { ExpiresAt = Now.AddDays(365) }, Now));
        Assert.Contains("not in the future", Assert.Single(TrustRootRules.CheckPublishable(Sample() with { ExpiresAt = Now }, Now)), StringComparison.Ordinal);
        Assert.Contains("730 days", Assert.Single(TrustRootRules.CheckPublishable(Sample() with { ExpiresAt = Now.AddDays(731) }, Now)), StringComparison.Ordinal);
        Assert.Contains("no successor could ever be signed", Assert.Single(TrustRootRules.CheckPublishable(Sample() with { RootThreshold = 3 }, Now)), StringComparison.Ordinal);
    }
}
