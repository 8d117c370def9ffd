using KeyAgentd.Configuration;
using KeyAgentd.Fetch;
using Microsoft.Extensions.DependencyInjection;

namespace KeyAgentd.RegistrySource.KeysUrl;

/// <summary>
/// The daemon's registry HTTP client (Registry:Timeout, Registry:MaxBytes, the same resilience
/// pipeline), made only when a source tree has sources.yaml. Registry:CaFile is left out: it pins the
/// daemon to the registry's private CA, and github.com or gitlab.com are checked by the system store.
/// </summary>
internal sealed class KeysUrlClient(RegistrySettings settings) : IDisposable
{
    private ServiceProvider? _services;
    private HttpClient? _client;

    public HttpClient Get()
    {
        _services ??= new ServiceCollection().AddRegistryHttpClient(new RegistrySettings { Timeout = settings.Timeout, MaxBytes = settings.MaxBytes }).BuildServiceProvider();
        return _client ??= _services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpRegistrySource.HttpClientName);
    }

    public void Dispose() => _services?.Dispose();
}
