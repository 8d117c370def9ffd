using Microsoft.Extensions.DependencyInjection;

namespace KeyAgentd.Fetch;

/// <summary>
/// The registry's HTTP client, one registration for both programs: the host fetches its snapshot with
/// it, and keyagentd-registry fetches a person's .keys URL with it (sources.yaml), so a slow or huge
/// answer is bounded and retried the same way on either side.
/// </summary>
public static class RegistryHttpClient
{
    /// <summary>The IHttpClientFactory name of the client.</summary>
    public const string Name = "registry";

    /// <param name="timeout">per attempt (Registry:Timeout)</param>
    /// <param name="maxBytes">a body larger than this fails (Registry:MaxBytes)</param>
    /// <param name="caFile">Registry:CaFile, the private CA the server must chain to; null: the system store</param>
    public static IServiceCollection AddRegistryHttpClient(this IServiceCollection services, TimeSpan timeout, long maxBytes, string? caFile)
    {
        var resilience = new RegistryResilience.Options(timeout);
        var validation = RegistryTls.PinnedTo(caFile);
        var http = services.AddHttpClient(Name, client =>
            {
                // The pipeline's per-attempt timeout governs; this only bounds a whole fetch with its retries.
                client.Timeout = timeout * 8 + TimeSpan.FromSeconds(70);
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
        http.AddHttpMessageHandler(() => new BoundedContentHandler(maxBytes));
        return services;
    }

    /// <summary>The same handler order as the DI registration, for callers without a service provider (tests).</summary>
    public static HttpMessageHandler BuildHandlerChain(Polly.ResiliencePipeline<HttpResponseMessage> pipeline, long maxBytes, HttpMessageHandler primary) =>
        new Microsoft.Extensions.Http.Resilience.ResilienceHandler(pipeline) { InnerHandler = new BoundedContentHandler(maxBytes) { InnerHandler = primary } };
}
