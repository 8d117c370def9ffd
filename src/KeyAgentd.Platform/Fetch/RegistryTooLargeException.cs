namespace KeyAgentd.Fetch;

/// <summary>The response was larger than Registry:MaxBytes; never retried.</summary>
public sealed class RegistryTooLargeException(long limit) : Exception($"registry response is larger than Registry:MaxBytes ({limit} bytes)");
