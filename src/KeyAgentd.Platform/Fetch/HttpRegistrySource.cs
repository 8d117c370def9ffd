using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace KeyAgentd.Fetch;

/// <summary>
/// A registry served over HTTP(S) by any static web server, object store or CDN. Conditional GET
/// with If-None-Match makes an unchanged poll a 304. Every failure becomes a <see cref="RegistryFetch"/>
/// with a stable error code (used for metrics), never an exception.
/// </summary>
public sealed class HttpRegistrySource(HttpClient client, Uri url) : IRegistrySource
{
    public const string HttpClientName = RegistryHttpClient.Name;

    private readonly Uri _signatureUrl = new UriBuilder(url) { Path = url.AbsolutePath + ".sig" }.Uri;

    public string Location => url.ToString();

    public string SignatureLocation => _signatureUrl.ToString();

    public Task<RegistryFetch> FetchAsync(string? previousETag, CancellationToken cancellationToken) =>
        GetAsync(url, previousETag, notFoundIsMissing: false, cancellationToken);

    public Task<RegistryFetch> FetchSignatureAsync(CancellationToken cancellationToken) =>
        GetAsync(_signatureUrl, null, notFoundIsMissing: true, cancellationToken);

    public string LocationBeside(string relativePath) => Beside(relativePath).ToString();

    public Task<RegistryFetch> FetchBesideAsync(string relativePath, string? previousETag, CancellationToken cancellationToken) =>
        GetAsync(Beside(relativePath), previousETag, notFoundIsMissing: true, cancellationToken);

    /// <summary>Relative to the snapshot URL's directory, without its query: a signed URL's query belongs to the snapshot.</summary>
    private Uri Beside(string relativePath) => new(new UriBuilder(url) { Query = "", Fragment = "" }.Uri, relativePath);

    private async Task<RegistryFetch> GetAsync(Uri url, string? previousETag, bool notFoundIsMissing, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (previousETag is not null && EntityTagHeaderValue.TryParse(previousETag, out var etag))
        {
            request.Headers.IfNoneMatch.Add(etag);
        }
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            string? newETag = response.Headers.ETag?.ToString();
            switch (response.StatusCode)
            {
                case HttpStatusCode.NotModified:
                    return RegistryFetch.NotModified(previousETag);
                case HttpStatusCode.OK:
                    byte[] content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                    return new RegistryFetch(RegistryFetchStatus.Ok, content, newETag);
                case HttpStatusCode.NotFound or HttpStatusCode.Gone when notFoundIsMissing:
                    return RegistryFetch.Missing($"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
                case HttpStatusCode.TooManyRequests:
                    return RegistryFetch.Failed(FetchProblem.RateLimited.ToCode(), $"{url} answered 429 Too Many Requests after retries");
                default:
                    int status = (int)response.StatusCode;
                    return RegistryFetch.Failed((status >= 500 ? FetchProblem.Http5xx : FetchProblem.Http4xx).ToCode(), $"{url} answered {status} {response.ReasonPhrase}");
            }
        }
        catch (RegistryTooLargeException e)
        {
            return RegistryFetch.Failed(FetchProblem.TooLarge.ToCode(), e.Message);
        }
        catch (TimeoutRejectedException)
        {
            return RegistryFetch.Failed(FetchProblem.Timeout.ToCode(), $"{url} did not answer within Registry:Timeout");
        }
        catch (BrokenCircuitException)
        {
            return RegistryFetch.Failed(FetchProblem.CircuitOpen.ToCode(), $"{url} failed repeatedly; not asking again until the circuit breaker closes");
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException)
        {
            return RegistryFetch.Failed(FetchProblem.Tls.ToCode(), $"{url}: TLS failed: {e.InnerException.Message}");
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException or IOException || e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            return RegistryFetch.Failed(FetchProblem.Unreachable.ToCode(), $"{url}: {e.Message}");
        }
        catch (HttpRequestException e)
        {
            return RegistryFetch.Failed(FetchProblem.HttpError.ToCode(), $"{url}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return RegistryFetch.Failed(FetchProblem.Timeout.ToCode(), $"{url} did not answer in time");
        }
    }
}
