using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace KeyAgentd.Trust.Root;

/// <summary>
/// Renders a root document as canonical bytes, beside <see cref="TrustRootParser"/>: fixed field order,
/// two-space indentation, "\n" line ends, UTC times to the second, a final newline. The bytes are what the
/// root holders sign and review (`keyagentd-registry root propose` shows their difference), so the same
/// document always renders the same.
/// </summary>
public static class TrustRootWriter
{
    public const string DateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        NewLine = "\n",
        // Served as JSON and read by people reviewing a rotation, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Render(TrustRootDocument root)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writer.WriteString("schema", TrustRootDocument.Schema);
            writer.WriteNumber("version", root.Version);
            writer.WriteString("expires_at", Date(root.ExpiresAt));
            writer.WriteStartObject("root");
            writer.WriteNumber("threshold", root.RootThreshold);
            writer.WriteStartArray("keys");
            foreach (var key in root.RootKeys)
            {
                writer.WriteStartObject();
                writer.WriteString("principal", key.Principal);
                writer.WriteString("key", KeyText(key.Key, key.Comment));
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteStartObject("snapshot");
            writer.WriteNumber("threshold", root.SnapshotThreshold);
            writer.WriteStartArray("signers");
            foreach (var signer in root.SnapshotSigners)
            {
                writer.WriteStartObject();
                writer.WriteString("principals", signer.Principals);
                writer.WriteString("key", KeyText(signer.Key, signer.Comment));
                if (signer.ValidAfter is { } after)
                {
                    writer.WriteString("valid_after", Date(after));
                }
                if (signer.ValidBefore is { } before)
                {
                    writer.WriteString("valid_before", Date(before));
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
            if (root.RevokedSigners.Count > 0)
            {
                writer.WriteStartArray("revoked_signers");
                foreach (string fingerprint in root.RevokedSigners)
                {
                    writer.WriteStringValue(fingerprint);
                }
                writer.WriteEndArray();
            }
            if (root.MaxSnapshotValidity is { } validity)
            {
                writer.WriteNumber("max_snapshot_validity_seconds", (long)validity.TotalSeconds);
            }
            writer.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    public static string Date(DateTimeOffset when) => when.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture);

    /// <summary>"type base64 [comment]", the form the parser reads and ssh-keygen prints.</summary>
    public static string KeyText(Core.Keys.SshPublicKey key, string? comment) =>
        comment is null ? $"{key.TypeName} {key.Base64}" : $"{key.TypeName} {key.Base64} {comment}";
}
