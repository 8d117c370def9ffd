using System.Text;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Core.Source;

namespace KeyAgentd.Core.Tests.Snapshot;

/// <summary>The `cert_authorities` field of schema v1: written deterministically, read back strictly, unknown fields beside it ignored.</summary>
public class CertAuthoritiesSchemaTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly string OpsCa = SshKeygen.Generate("ed25519", 0, "ops-ca");
    private static readonly string CiCa = SshKeygen.Generate("ecdsa", 256, "ci-ca");

    private static byte[] Render(params CertificateAuthorityGrant[] grants)
    {
        var body = new HostBody("0", new SortedDictionary<string, RegistryPerson>(StringComparer.Ordinal),
            new SortedDictionary<string, RegistryAccount>(StringComparer.Ordinal) { ["root"] = new([], null, []) { CertAuthorities = grants } });
        return SnapshotDocumentWriter.Render(new DocumentHeader(7, Now, Now.AddDays(7), ["web-01"], "sha256:x"), SnapshotDocumentWriter.RenderBody(body, []));
    }

    [Fact]
    public void Grants_render_sorted_by_name_with_sorted_distinct_principals_whatever_the_input_order()
    {
        var ops = new CertificateAuthorityGrant("ops-ca", OpsCa, ["carol", "alice", "carol"], "no-pty", Now.AddDays(30));
        var ci = new CertificateAuthorityGrant("ci-ca", CiCa, ["deploy-bot"], null, null);

        byte[] one = Render(ops, ci);
        Assert.Equal(one, Render(ci, ops with { Principals = ["alice", "carol"] }));
        Assert.True(RegistrySnapshotParser.TryParse(one, out var snapshot, out var error), error?.ToString());
        var read = snapshot.Accounts["root"].CertAuthorities;
        Assert.Equal(["ci-ca", "ops-ca"], read.Select(a => a.Name));
        Assert.Equal(["alice", "carol"], read[1].Principals);
        Assert.Equal(("no-pty", Now.AddDays(30), OpsCa), (read[1].Options, read[1].NotAfter!.Value, read[1].Key));
        Assert.Null(read[0].Options);
        Assert.Contains("\"cert_authorities\": [", Encoding.UTF8.GetString(one), StringComparison.Ordinal);
    }

    [Fact]
    public void An_account_without_grants_has_no_field_so_documents_without_certificates_keep_their_bytes()
    {
        Assert.DoesNotContain("cert_authorities", Encoding.UTF8.GetString(Render()), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fields_in_an_account_and_in_a_grant_are_ignored_as_everywhere_in_the_document()
    {
        string json = Encoding.UTF8.GetString(Render(new CertificateAuthorityGrant("ops-ca", OpsCa, ["alice"], null, null)))
            .Replace("\"name\": \"ops-ca\",", "\"name\": \"ops-ca\", \"serials_revoked\": [1, 2],", StringComparison.Ordinal)
            .Replace("\"grants\": [],", "\"grants\": [], \"some_future_field\": {\"x\": 1},", StringComparison.Ordinal);

        var snapshot = RegistryJson.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Equal(["alice"], Assert.Single(snapshot.Accounts["root"].CertAuthorities).Principals);
    }

    [Theory]
    [InlineData("\"principals\": [\n", "\"principals\": \"alice\", \"x\": [\n")]
    [InlineData("\"name\": \"ops-ca\",", "")]
    [InlineData("\"principals\": [\n", "\"principals\": [ 7,\n")]
    public void A_malformed_grant_refuses_the_whole_document(string from, string to)
    {
        string json = Encoding.UTF8.GetString(Render(new CertificateAuthorityGrant("ops-ca", OpsCa, ["alice"], null, null)));
        Assert.Contains(from, json, StringComparison.Ordinal);
        var error = RegistryJson.Refuse(Encoding.UTF8.GetBytes(json.Replace(from, to, StringComparison.Ordinal)));
        Assert.Contains("cert_authorities[0]", error.Message, StringComparison.Ordinal);
    }
}
