using System.Text;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Core.Source;

namespace KeyAgentd.Core.Tests.Snapshot;

/// <summary>
/// `revoked_certificates` in a document: written by the registry side only when there is one, read
/// back by the host exactly, and any malformed entry refuses the whole document (the last good one,
/// with its revocations, stays in force).
/// </summary>
public class RevokedCertificatesDocumentTests
{
    private static readonly string Ca = SshKeygen.Generate("ed25519", comment: "ca");
    private static readonly string CaText = string.Join(' ', Ca.Split(' ').Take(2));
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static HostBody Body() => new("0", new SortedDictionary<string, RegistryPerson>(StringComparer.Ordinal), new SortedDictionary<string, RegistryAccount>(StringComparer.Ordinal));

    [Fact]
    public void Written_revocations_are_read_back_as_written()
    {
        var ca = AuthorizedKeyLineParser.Parse(Ca).Key!;
        var revocations = new[] { new RevokedCertificates(ca, [new(7, 7), new(10, 20), new(ulong.MaxValue, ulong.MaxValue)], ["alice@laptop", "quote \" and \\"]) };
        byte[] body = SnapshotDocumentWriter.RenderBody(Body(), [], revocations);
        string text = Encoding.UTF8.GetString(body);

        Assert.True(RegistrySnapshotParser.TryParse(SnapshotDocumentWriter.Render(new DocumentHeader(3, Now, Now.AddDays(1), ["*"], "sha256:x"), body), out var snapshot, out var error), error?.Message);

        var entry = Assert.Single(snapshot.RevokedCertificates);
        Assert.Equal(ca, entry.Ca);
        Assert.Equal(revocations[0].Serials, entry.Serials);
        Assert.Equal(["alice@laptop", "quote \" and \\"], entry.KeyIds);
        Assert.Contains("\"serials\": [\n        \"7\",\n        \"10-20\",\n        \"18446744073709551615\"", text, StringComparison.Ordinal);
        Assert.Contains($"\"ca\": \"{CaText}\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_without_certificate_revocations_is_byte_for_byte_what_it_was_before_the_field()
    {
        Assert.Equal(SnapshotDocumentWriter.RenderBody(Body(), ["SHA256:" + new string('A', 43)]),
            SnapshotDocumentWriter.RenderBody(Body(), ["SHA256:" + new string('A', 43)], []));
        Assert.DoesNotContain("revoked_certificates", Encoding.UTF8.GetString(SnapshotDocumentWriter.RenderBody(Body(), [], [])), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[{"ca": "{CA}", "serials": ["0"]}]""", "serial 0")]
    [InlineData("""[{"ca": "{CA}", "serials": ["20-10"]}]""", "backwards")]
    [InlineData("""[{"ca": "{CA}", "serials": [42]}]""", "serials[0]")]
    [InlineData("""[{"ca": "{CA}", "serials": ["4x"]}]""", "not a serial")]
    [InlineData("""[{"ca": "{CA}", "key_ids": ["a\u001bb"]}]""", "control character")]
    [InlineData("""[{"ca": "{CA}", "key_ids": [""]}]""", "empty")]
    [InlineData("""[{"serials": ["1"]}]""", "ca")]
    [InlineData("""[{"ca": "{CA} comment", "serials": ["1"]}]""", "type base64")]
    [InlineData("""[{"ca": "ssh-ed25519 AAAA", "serials": ["1"]}]""", "type base64")]
    [InlineData("""[{"ca": "{CERT}", "serials": ["1"]}]""", "is a certificate")]
    [InlineData("""{"ca": "{CA}"}""", "revoked_certificates")]
    public void A_malformed_entry_refuses_the_whole_document(string entries, string says)
    {
        using var authority = new TestCertificateAuthority();
        string cert = authority.Issue(SshKeygen.Generate("ed25519"), "c", 1, ["x"]);
        string json = RegistryJson.Minimal(extra: ",\"revoked_certificates\": " + entries
            .Replace("{CA}", CaText, StringComparison.Ordinal)
            .Replace("{CERT}", string.Join(' ', cert.Split(' ').Take(2)), StringComparison.Ordinal));

        var error = RegistryJson.Refuse(json);

        Assert.Contains(says, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', error.Message);
    }
}
