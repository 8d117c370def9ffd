using Polly;

namespace KeyAgentd.Registry;

/// <summary>
/// Runs every request through a Polly pipeline (Microsoft.Extensions.Http.Resilience is not
/// available here, so this is its core idea in a dozen lines). A GET has no content, so sending
/// the same request message again on retry is safe.
/// </summary>
public sealed class ResilienceHandler(ResiliencePipeline<HttpResponseMessage> pipeline) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        await pipeline.ExecuteAsync(
            static async (state, token) => await state.Handler.SendInner(state.Request, token).ConfigureAwait(false),
            (Handler: this, Request: request),
            cancellationToken).ConfigureAwait(false);

    private Task<HttpResponseMessage> SendInner(HttpRequestMessage request, CancellationToken token) => base.SendAsync(request, token);
}
