using KeyAgentd.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KeyAgentd.Fetch;

/// <summary>Builds the source named by Registry:Url; HTTP goes through IHttpClientFactory with the resilience handlers.</summary>
public static class RegistrySourceFactory
{
    public static IServiceCollection AddRegistryHttpClient(this IServiceCollection services, RegistrySettings settings)
    {
        var resilience = new RegistryResilience.Options(settings.Timeout);
        var validation = RegistryTls.PinnedTo(settings.CaFile);
        var http = services.AddHttpClient(HttpRegistrySource.HttpClientName, client =>
            {
                // The pipeline's per-attempt timeout governs; this only bounds a whole fetch with its retries.
                client.Timeout = settings.Timeout * 8 + TimeSpan.FromSeconds(70);
                client.DefaultRequestHeaders.UserAgent.ParseAdd("keyagentd/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AutomaticDecompression = System.Net.DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                SslOptions = { RemoteCertificateValidationCallback = validation },
            });
        http.AddResilienceHandler("registry", pipeline => RegistryResilience.Configure(pipeline, resilience));
        // Added after the resilience handler, so it sits inside it: the body is read within the attempt.
        http.AddHttpMessageHandler(() => new BoundedContentHandler(settings.MaxBytes));
        return services;
    }

    /// <summary>The same handler order as the DI registration, for callers without a service provider (tests).</summary>
    public static HttpMessageHandler BuildHandlerChain(Polly.ResiliencePipeline<HttpResponseMessage> pipeline, long maxBytes, HttpMessageHandler primary) =>
        new Microsoft.Extensions.Http.Resilience.ResilienceHandler(pipeline) { InnerHandler = new BoundedContentHandler(maxBytes) { InnerHandler = primary } };

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
