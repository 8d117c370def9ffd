using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource.KeysUrl;

/// <summary>One person whose keys are fetched from a <c>.keys</c> URL (one OpenSSH key per line), and where sources.yaml says so.</summary>
internal sealed record KeysUrlSource(string Person, Uri Url, SourceLocation Location);
