using System.Text.Json;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Cli;

/// <summary>
/// A certificate as a JSON object for `check --format json`: the fields ssh-keygen -L shows, with
/// times as UTC timestamps (null for "no bound") beside ssh-keygen's own validity text.
/// </summary>
internal static class CertificateJson
{
    public static void Write(Utf8JsonWriter writer, SshPublicKey certificate, TimeZoneInfo zone)
    {
        var info = certificate.Certificate!;
        writer.WriteStartObject("certificate");
        writer.WriteString("kind", SshCertificateText.Kind(info.Kind));
        writer.WriteString("key_id", info.KeyId);
        writer.WriteString("serial", info.Serial.ToString(System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteStartArray("principals");
        foreach (string principal in info.Principals)
        {
            writer.WriteStringValue(principal);
        }
        writer.WriteEndArray();
        writer.WriteString("valid_after", info.ValidAfter == 0 ? null : Timestamp(info.ValidAfter));
        writer.WriteString("valid_before", info.ValidBefore == SshCertificateInfo.Forever ? null : Timestamp(info.ValidBefore));
        writer.WriteString("validity", SshCertificateText.Validity(info, zone));
        writer.WriteString("ca_type", info.SignatureKey?.TypeName);
        writer.WriteString("ca_fingerprint", info.SignatureKey?.Sha256Fingerprint);
        writer.WriteString("signature_algorithm", info.SignatureAlgorithm);
        WriteOptions(writer, "critical_options", info.CriticalOptions);
        WriteOptions(writer, "extensions", info.Extensions);
        writer.WriteEndObject();
    }

    private static void WriteOptions(Utf8JsonWriter writer, string name, IReadOnlyList<SshCertificateOption> options)
    {
        writer.WriteStartArray(name);
        foreach (var option in options)
        {
            writer.WriteStartObject();
            writer.WriteString("name", option.Name);
            if (option.Data.Length > 0)
            {
                writer.WriteString("value", option.StringValue ?? Convert.ToHexStringLower(option.Data));
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    private static string Timestamp(ulong seconds) =>
        SnapshotDocumentWriter.Timestamp(DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(seconds, (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds())));
}
