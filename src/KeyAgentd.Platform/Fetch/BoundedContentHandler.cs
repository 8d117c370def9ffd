using System.Net;

namespace KeyAgentd.Fetch;

/// <summary>
/// Reads a successful response body into memory inside the attempt, with a hard size cap enforced
/// while streaming. Sitting inside the resilience handler means a body that stalls mid-way is cut by
/// the per-attempt timeout and retried, and a body over the cap fails fast without buffering it.
/// </summary>
public sealed class BoundedContentHandler(long maxBytes) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return response;
        }
        using (response)
        {
            if (response.Content.Headers.ContentLength > maxBytes)
            {
                throw new RegistryTooLargeException(maxBytes);
            }
            var buffer = new MemoryStream();
            await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
            {
                var chunk = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > maxBytes)
                    {
                        throw new RegistryTooLargeException(maxBytes);
                    }
                    buffer.Write(chunk, 0, read);
                }
            }
            var copy = new HttpResponseMessage(response.StatusCode)
            {
                Content = new ByteArrayContent(buffer.ToArray()),
                RequestMessage = response.RequestMessage,
                Version = response.Version,
            };
            foreach (var header in response.Headers)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
            return copy;
        }
    }
}
