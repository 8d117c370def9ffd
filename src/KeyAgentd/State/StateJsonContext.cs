using System.Text.Json.Serialization;

namespace KeyAgentd.State;

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SyncStatus))]
[JsonSerializable(typeof(TrustState))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
