using System.Text.Json.Serialization;

namespace KeyAgentd.Audit;

/// <summary>
/// Source-generated (trim-safe) serialization of <see cref="AuditRecord"/>. The default encoder is kept on
/// purpose: it escapes control characters, so a hostile key comment can never split a record into two lines.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(AuditRecord))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
