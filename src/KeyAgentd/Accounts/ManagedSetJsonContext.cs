using System.Text.Json.Serialization;

namespace KeyAgentd.Accounts;

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(string[]))]
internal sealed partial class ManagedSetJsonContext : JsonSerializerContext;
