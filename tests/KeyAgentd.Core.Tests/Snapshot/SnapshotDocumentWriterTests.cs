using KeyAgentd.Core.Snapshot;
using KeyAgentd.Core.Source;

namespace KeyAgentd.Core.Tests.Snapshot;

public sealed class SnapshotDocumentWriterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Alice = SshKeygen.Generate("ed25519", comment: "alice@laptop");
    private static readonly string Ci = SshKeygen.Generate("ed25519", comment: "ci");

    private static HostBody Body() => new("0",
        new SortedDictionary<string, RegistryPerson>(StringComparer.Ordinal)
        {
            ["alice@example.com"] = new([new RegistryKey(Alice, "laptop", Now.AddDays(30), null)]),
        },
        new SortedDictionary<string, RegistryAccount>(StringComparer.Ordinal)
        {
            ["deploy"] = new(["alice@example.com"], "no-pty,from=\"10.0.0.0/8\"", [new RegistryKey(Ci, "ci", null, "ci")]),
            ["root"] = new(["alice@example.com"], null, []),
        });

    [Fact]
    public void A_rendered_document_is_what_the_daemons_parser_reads()
    {
        byte[] body = SnapshotDocumentWriter.RenderBody(Body(), [$"SHA256:{new string('A', 43)}"]);
        var header = new DocumentHeader(42, Now, Now.AddDays(7), ["web-01"], "sha256:x") { Commit = "c0ffee", RemovalApproval = new RemovalApproval(42, 3, "why") };
        Assert.True(RegistrySnapshotParser.TryParse(SnapshotDocumentWriter.Render(header, body), out var snapshot, out var error), error?.ToString());
        Assert.Equal((42L, Now, Now.AddDays(7)), (snapshot.Serial, snapshot.IssuedAt!.Value, snapshot.ExpiresAt!.Value));
        Assert.Equal(new RemovalApproval(42, 3, "why"), snapshot.RemovalApproval);
        Assert.Equal("no-pty,from=\"10.0.0.0/8\"", snapshot.Accounts["deploy"].Options);
        Assert.Equal(new RegistryKey(Alice, "laptop", Now.AddDays(30), null), snapshot.People["alice@example.com"].Keys[0]);
        Assert.Single(snapshot.Revoked);
        var state = SnapshotExpander.Expand(snapshot, new Core.Policy.KeyPolicy(null, TimeZoneInfo.Utc), Now);
        Assert.Empty(state.Rejections);
        Assert.Equal(2, state.Accounts["deploy"].Count);
    }

    [Fact]
    public void The_same_input_renders_the_same_bytes_and_readable_options()
    {
        var header = new DocumentHeader(1, Now, Now.AddDays(7), ["web-01"], "sha256:x");
        byte[] first = SnapshotDocumentWriter.Render(header, SnapshotDocumentWriter.RenderBody(Body(), []));
        byte[] second = SnapshotDocumentWriter.Render(header, SnapshotDocumentWriter.RenderBody(Body(), []));
        Assert.Equal(first, second);
        var stream = new MemoryStream();
        SnapshotDocumentWriter.Write(stream, header, SnapshotDocumentWriter.RenderBody(Body(), []));
        Assert.Equal(first, stream.ToArray());
        string text = System.Text.Encoding.UTF8.GetString(first);
        Assert.Contains("\"options\": \"no-pty,from=\\\"10.0.0.0/8\\\"\"", text, StringComparison.Ordinal);
        Assert.EndsWith("\n}\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', text);
    }

    /// <summary>
    /// The in-place comparison a build judges kept documents with says yes exactly when the bytes equal the
    /// rendered document: any byte changed, added or removed in the head, the body or the tail is a no.
    /// </summary>
    [Fact]
    public void Renders_is_true_only_for_the_exact_rendered_bytes()
    {
        byte[] body = SnapshotDocumentWriter.RenderBody(Body(), []);
        var header = new DocumentHeader(7, Now, Now.AddDays(7), ["web-01"], "sha256:abc") { Commit = "c0ffee" };
        byte[] document = SnapshotDocumentWriter.Render(header, body);
        Assert.True(SnapshotDocumentWriter.Renders(document, header, body));
        for (int i = 0; i < document.Length; i++)
        {
            byte[] flipped = (byte[])document.Clone();
            flipped[i] ^= 0x01;
            Assert.False(SnapshotDocumentWriter.Renders(flipped, header, body), $"byte {i} flipped");
            Assert.False(SnapshotDocumentWriter.Renders(document.AsSpan().ToArray().Where((_, j) => j != i).ToArray(), header, body), $"byte {i} removed");
        }
        Assert.False(SnapshotDocumentWriter.Renders([.. document, (byte)'\n'], header, body));
        Assert.False(SnapshotDocumentWriter.Renders([(byte)' ', .. document], header, body));
        Assert.False(SnapshotDocumentWriter.Renders(document, header with { Serial = 8 }, body));
        Assert.False(SnapshotDocumentWriter.Renders([], header, body));
    }

    [Fact]
    public void The_content_digest_depends_on_audience_and_body_not_on_metadata()
    {
        string body = SnapshotDocumentWriter.BodyDigest(SnapshotDocumentWriter.RenderBody(Body(), []));
        Assert.Equal(SnapshotDocumentWriter.ContentDigest(["web-01"], body), SnapshotDocumentWriter.ContentDigest(["web-01"], body));
        Assert.NotEqual(SnapshotDocumentWriter.ContentDigest(["web-01"], body), SnapshotDocumentWriter.ContentDigest(["web-02"], body));
        Assert.StartsWith("sha256:", SnapshotDocumentWriter.ContentDigest(["web-01"], body), StringComparison.Ordinal);
    }

    [Fact]
    public void A_published_documents_header_is_read_without_its_body()
    {
        var header = new DocumentHeader(7, Now, Now.AddDays(7), ["web-01"], "sha256:abc") { Commit = "c0ffee" };
        byte[] document = SnapshotDocumentWriter.Render(header, SnapshotDocumentWriter.RenderBody(Body(), []));
        int people = System.Text.Encoding.UTF8.GetString(document).IndexOf("\"people\"", StringComparison.Ordinal);
        Assert.True(PublishedDocument.TryRead(document.AsSpan(0, people + 12), out var read));
        Assert.Equal((7L, Now.AddDays(7), "sha256:abc", Now, "c0ffee"), (read.Serial, read.ExpiresAt, read.ContentDigest, read.IssuedAt!.Value, read.Commit));
        Assert.Equal(["web-01"], read.Audience!);
        Assert.False(PublishedDocument.TryRead("{\"serial\": \"x\"}"u8, out _));
        Assert.False(PublishedDocument.TryRead("not json"u8, out _));
    }

    [Fact]
    public void A_built_document_is_intact_only_when_its_body_matches_its_header_byte_for_byte()
    {
        byte[] body = SnapshotDocumentWriter.RenderBody(Body(), []);
        string digest = SnapshotDocumentWriter.ContentDigest(["web-01"], SnapshotDocumentWriter.BodyDigest(body));
        var header = new DocumentHeader(7, Now, Now.AddDays(7), ["web-01"], digest) { RemovalApproval = new RemovalApproval(7, 3, "CHG-1") };
        string document = System.Text.Encoding.UTF8.GetString(SnapshotDocumentWriter.Render(header, body));
        Assert.Equal(DocumentIntegrity.Intact, Check(document));
        Assert.Equal(DocumentIntegrity.DigestMismatch, Check(document.Replace("\"grants\": [", "\"grants\": [\"mallory\",", StringComparison.Ordinal)));
        Assert.Equal(DocumentIntegrity.DigestMismatch, Check(document + " "));
        Assert.Equal(DocumentIntegrity.NotCanonical, Check(document.Replace("\"serial\": 7,", "\"serial\": 7, \"note\": 1,", StringComparison.Ordinal)));
        Assert.Equal(DocumentIntegrity.NotCanonical, Check(document.Replace("\"audience\": [\n    \"web-01\"\n  ]", "\"audience\": [\"web-01\"]", StringComparison.Ordinal)));
        Assert.Equal(DocumentIntegrity.NotBuilt, Check(document.Replace($"\"content\": \"{digest}\"", "\"other\": \"x\"", StringComparison.Ordinal)));
        Assert.Equal(DocumentIntegrity.Unreadable, Check("{\"schema\": \"keyagentd.registry/v1\"}"));
    }

    private static DocumentIntegrity Check(string document) => BuiltDocument.Check(System.Text.Encoding.UTF8.GetBytes(document), out _);
}
