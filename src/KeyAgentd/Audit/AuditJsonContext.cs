using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using KeyAgentd.Core;

namespace KeyAgentd.Audit;

/// <summary>Source-generated (trim-safe) serialization of <see cref="AuditRecord"/>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(AuditRecord))]
internal sealed partial class AuditJsonContext : JsonSerializerContext
{
    /// <summary>
    /// How a record is written: the default encoder escaped '+' and every non-ASCII character, so
    /// `grep -F` of a key's base64 found nothing. <see cref="SafeJsonEncoder"/> escapes only controls
    /// (C0, DEL, C1, U+2028/2029), the quote and the backslash: a hostile comment still cannot split a
    /// record into two lines or reach a terminal raw. Reading needs no counterpart: the verifier hashes
    /// the bytes as written and parses either escaping, so logs written before this change still verify.
    /// </summary>
    public static JsonTypeInfo<AuditRecord> RecordLine => s_recordLine ??= CreateRecordLine();

    // Built on first use: a static initializer here would race the generated Default in the other half of this partial class.
    private static JsonTypeInfo<AuditRecord>? s_recordLine;

    private static JsonTypeInfo<AuditRecord> CreateRecordLine()
    {
        var options = new JsonSerializerOptions(Default.Options) { Encoder = SafeJsonEncoder.Instance };
        return (JsonTypeInfo<AuditRecord>)options.GetTypeInfo(typeof(AuditRecord));
    }
}
