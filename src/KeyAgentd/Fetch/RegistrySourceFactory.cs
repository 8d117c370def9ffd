using KeyAgentd.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KeyAgentd.Fetch;

/// <summary>Builds the source named by Registry:Url; HTTP goes through IHttpClientFactory with the resilience handlers.</summary>
public static class RegistrySourceFactory
{
    public static IServiceCollection AddRegistryHttpClient(this IServiceCollection services, RegistrySettings settings) =>
        services.AddRegistryHttpClient(settings.Timeout, settings.MaxBytes, settings.CaFile);

    /// <summary>The same handler order as the DI registration, for callers without a service provider (tests).</summary>
    public static HttpMessageHandler BuildHandlerChain(Polly.ResiliencePipeline<HttpResponseMessage> pipeline, long maxBytes, HttpMessageHandler primary) =>
        RegistryHttpClient.BuildHandlerChain(pipeline, maxBytes, primary);

    public static IRegistrySource Create(RegistrySettings settings, string hostName, IServiceProvider services)
    {
        var uri = ResolveUrl(settings, hostName);
        if (uri.IsFile)
        {
            return new FileRegistrySource(uri.LocalPath, settings.MaxBytes);
        }
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpRegistrySource.HttpClientName);
        return new HttpRegistrySource(client, uri);
    }

    /// <summary>Registry:Url expanded for this host and checked; what `run` checks at load, before anything starts.</summary>
    public static Uri ResolveUrl(RegistrySettings settings, string hostName)
    {
        if (string.IsNullOrWhiteSpace(settings.Url))
        {
            throw SettingsException.ForKey("Registry:Url",
                "Registry:Url is not set: set it in the config file (\"Registry\": { \"Url\": \"https://keys.example.com/{hostname}.json\" }), in KEYAGENTD_Registry__Url or with --registry");
        }
        return RegistryUrl.Parse(RegistryUrl.Expand(settings.Url, hostName));
    }
}
