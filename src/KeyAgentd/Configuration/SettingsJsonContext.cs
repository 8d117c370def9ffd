using System.Text.Json.Serialization;

namespace KeyAgentd.Configuration;

/// <summary>The effective settings as JSON, for <see cref="SettingsChanges"/> (source-generated: the daemon is NativeAOT).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(KeyAgentdSettings))]
internal sealed partial class SettingsJsonContext : JsonSerializerContext;
