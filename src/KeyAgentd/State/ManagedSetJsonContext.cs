using System.Text.Json.Serialization;

namespace KeyAgentd.State;

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(string[]))]
internal sealed partial class ManagedSetJsonContext : JsonSerializerContext;
