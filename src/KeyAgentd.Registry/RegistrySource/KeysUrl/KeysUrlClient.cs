using KeyAgentd.Fetch;
using Microsoft.Extensions.DependencyInjection;

namespace KeyAgentd.RegistrySource.KeysUrl;

/// <summary>
/// The daemon's registry HTTP client (Registry:Timeout, Registry:MaxBytes, the same resilience
/// pipeline), made only when a source tree has sources.yaml. No private CA: Registry:CaFile
/// pins a host to the registry's own CA, and github.com or gitlab.com are checked by the system store.
/// </summary>
internal sealed class KeysUrlClient(TimeSpan timeout, long maxBytes) : IDisposable
{
    /// <summary>Registry:Timeout's default on a host: per attempt.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Registry:MaxBytes's default on a host: a .keys answer larger than this fails.</summary>
    public const long DefaultMaxBytes = 8 * 1024 * 1024;

    /// <summary>At the host's defaults (a test, or a caller without settings).</summary>
    public KeysUrlClient()
        : this(DefaultTimeout, DefaultMaxBytes)
    {
    }

    private ServiceProvider? _services;
    private HttpClient? _client;

    public HttpClient Get()
    {
        _services ??= new ServiceCollection().AddRegistryHttpClient(timeout, maxBytes, caFile: null).BuildServiceProvider();
        return _client ??= _services.GetRequiredService<IHttpClientFactory>().CreateClient(RegistryHttpClient.Name);
    }

    public void Dispose() => _services?.Dispose();
}
