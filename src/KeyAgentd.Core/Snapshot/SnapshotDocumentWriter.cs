using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using KeyAgentd.Core.Source;

namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// Renders schema v1 documents as deterministic bytes, beside the parser that reads them
/// (<see cref="RegistrySnapshotParser"/>): fixed field order, ordinal-sorted names,
/// two-space indentation, "\n" line ends, UTC timestamps to the second. The body (people, accounts,
/// revoked) is rendered once per distinct rule set and spliced under each host's header.
/// </summary>
public static class SnapshotDocumentWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        NewLine = "\n",
        // Documents are served as JSON, never embedded in HTML: keep from="…" readable in a review.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The body's properties, indented for depth 1, without the enclosing braces. `revoked_certificates`
    /// is written only when there are some, so a registry that revokes no certificate publishes the
    /// same bytes as before the field existed (no document is re-issued by an upgrade).
    /// </summary>
    public static byte[] RenderBody(HostBody body, IReadOnlyList<string> revoked, IReadOnlyList<RevokedCertificates>? revokedCertificates = null) => Inner(writer =>
    {
        writer.WriteStartObject("people");
        foreach (var (name, person) in body.People)
        {
            writer.WriteStartObject(name);
            WriteKeys(writer, person.Keys);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteStartObject("accounts");
        foreach (var (name, account) in body.Accounts)
        {
            writer.WriteStartObject(name);
            writer.WriteStartArray("grants");
            foreach (string grant in account.Grants)
            {
                writer.WriteStringValue(grant);
            }
            writer.WriteEndArray();
            if (account.Options is { } options)
            {
                writer.WriteString("options", options);
            }
            if (account.Keys.Count > 0)
            {
                WriteKeys(writer, account.Keys);
            }
            if (account.CertAuthorities.Count > 0)
            {
                WriteAuthorities(writer, account.CertAuthorities);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.WriteStartArray("revoked");
        foreach (string fingerprint in revoked)
        {
            writer.WriteStringValue(fingerprint);
        }
        writer.WriteEndArray();
        if (revokedCertificates is { Count: > 0 })
        {
            WriteRevokedCertificates(writer, revokedCertificates);
        }
    });

    private static void WriteRevokedCertificates(Utf8JsonWriter writer, IReadOnlyList<RevokedCertificates> revokedCertificates)
    {
        writer.WriteStartArray("revoked_certificates");
        foreach (var entry in RevokedCertificates.Canonical(revokedCertificates))
        {
            writer.WriteStartObject();
            writer.WriteString("ca", entry.CaText);
            if (entry.Serials.Count > 0)
            {
                writer.WriteStartArray("serials");
                foreach (var range in entry.Serials)
                {
                    writer.WriteStringValue(range.ToString());
                }
                writer.WriteEndArray();
            }
            if (entry.KeyIds.Count > 0)
            {
                writer.WriteStartArray("key_ids");
                foreach (string keyId in entry.KeyIds)
                {
                    writer.WriteStringValue(keyId);
                }
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>The SHA-256 of a rendered body, computed once for every host that shares it.</summary>
    public static string BodyDigest(byte[] body) => Convert.ToHexStringLower(SHA256.HashData(body));

    /// <summary>What a host's document is about (its audience and body), as "sha256:hex"; the metadata is not part of it.</summary>
    public static string ContentDigest(IReadOnlyList<string> audience, string bodyDigest) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', audience) + "\0" + bodyDigest)));

    public static byte[] Render(DocumentHeader header, byte[] body)
    {
        byte[] head = RenderHead(header);
        var document = new byte[head.Length + body.Length + Tail.Length];
        head.CopyTo(document, 0);
        body.CopyTo(document, head.Length);
        Tail.CopyTo(document.AsSpan(head.Length + body.Length));
        return document;
    }

    /// <summary>Writes a document without assembling it in memory: ten thousand large documents stay out of the heap.</summary>
    public static void Write(Stream stream, DocumentHeader header, byte[] body)
    {
        stream.Write(RenderHead(header));
        stream.Write(body);
        stream.Write(Tail);
    }

    /// <summary>
    /// True when <paramref name="document"/> is byte for byte what <see cref="Render"/> makes of these, compared
    /// in place: a build judges every document it keeps this way, and assembling each one first cost a copy of it.
    /// </summary>
    public static bool Renders(ReadOnlySpan<byte> document, DocumentHeader header, ReadOnlySpan<byte> body)
    {
        if (document.Length < body.Length + Tail.Length || !document.EndsWith(Tail))
        {
            return false;
        }
        int headLength = document.Length - body.Length - Tail.Length;
        return document.Slice(headLength, body.Length).SequenceEqual(body) && document[..headLength].SequenceEqual(RenderHead(header));
    }

    private static ReadOnlySpan<byte> Tail => "\n}\n"u8;

    /// <summary>"{\n", the header's properties, and the ",\n" that joins them to the body.</summary>
    private static byte[] RenderHead(DocumentHeader header)
    {
        byte[] head = Inner(writer =>
        {
            writer.WriteString("schema", RegistrySnapshot.SchemaV1);
            writer.WriteNumber("serial", header.Serial);
            writer.WriteString("issued_at", Timestamp(header.IssuedAt));
            writer.WriteString("expires_at", Timestamp(header.ExpiresAt));
            writer.WriteStartArray("audience");
            foreach (string host in header.Audience)
            {
                writer.WriteStringValue(host);
            }
            writer.WriteEndArray();
            writer.WriteStartObject("build");
            if (header.Commit is { } commit)
            {
                writer.WriteString("commit", commit);
            }
            writer.WriteString("content", header.ContentDigest);
            writer.WriteEndObject();
            if (header.RemovalApproval is { } approval)
            {
                writer.WriteStartObject("removal_approval");
                writer.WriteNumber("serial", approval.Serial);
                writer.WriteNumber("max_removed_keys", approval.MaxRemovedKeys);
                writer.WriteString("reason", approval.Reason);
                writer.WriteEndObject();
            }
        });
        var result = new byte[head.Length + 4];
        "{\n"u8.CopyTo(result);
        head.CopyTo(result, 2);
        ",\n"u8.CopyTo(result.AsSpan(2 + head.Length));
        return result;
    }

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static void WriteKeys(Utf8JsonWriter writer, IReadOnlyList<RegistryKey> keys)
    {
        writer.WriteStartArray("keys");
        foreach (var key in keys)
        {
            writer.WriteStartObject();
            writer.WriteString("key", key.Key);
            if (key.Owner is { } owner)
            {
                writer.WriteString("owner", owner);
            }
            if (key.Label is { } label)
            {
                writer.WriteString("label", label);
            }
            if (key.NotAfter is { } notAfter)
            {
                writer.WriteString("not_after", Timestamp(notAfter));
            }
            if (key.Source is { } source)
            {
                writer.WriteString("source", source);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>By name, principals sorted and distinct: the same grants always render the same bytes, whatever order the source lists them in.</summary>
    private static void WriteAuthorities(Utf8JsonWriter writer, IReadOnlyList<CertificateAuthorityGrant> authorities)
    {
        writer.WriteStartArray("cert_authorities");
        foreach (var authority in authorities.OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            writer.WriteStartObject();
            writer.WriteString("name", authority.Name);
            writer.WriteString("key", authority.Key);
            writer.WriteStartArray("principals");
            foreach (string principal in authority.Principals.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                writer.WriteStringValue(principal);
            }
            writer.WriteEndArray();
            if (authority.Options is { } options)
            {
                writer.WriteString("options", options);
            }
            if (authority.NotAfter is { } notAfter)
            {
                writer.WriteString("not_after", Timestamp(notAfter));
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>Renders properties inside an indented object and returns them without the "{\n" and "\n}" around them.</summary>
    private static byte[] Inner(Action<Utf8JsonWriter> properties)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            properties(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan[2..^2].ToArray();
    }
}
