using System.Security.Cryptography;

namespace KeyAgentd.Registry;

/// <summary>
/// A registry in a local file (file:///path). Its "ETag" is the SHA-256 of the content, so an
/// unchanged file is a no-change cycle exactly like an HTTP 304. Reads at most MaxBytes.
/// </summary>
public sealed class FileRegistrySource(string path, long maxBytes) : IRegistrySource
{
    public string Location => "file://" + path;

    public string SignatureLocation => "file://" + path + ".sig";

    public Task<RegistryFetch> FetchAsync(string? previousETag, CancellationToken cancellationToken) =>
        ReadAsync(path, previousETag, missingIsFailure: true, cancellationToken);

    public Task<RegistryFetch> FetchSignatureAsync(CancellationToken cancellationToken) =>
        ReadAsync(path + ".sig", null, missingIsFailure: false, cancellationToken);

    private async Task<RegistryFetch> ReadAsync(string file, string? previousETag, bool missingIsFailure, CancellationToken cancellationToken)
    {
        byte[] content;
        try
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
            if (stream.Length > maxBytes)
            {
                return RegistryFetch.Failed("too-large", $"{file} is {stream.Length} bytes, more than Registry:MaxBytes ({maxBytes})");
            }
            content = new byte[stream.Length];
            await stream.ReadExactlyAsync(content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return missingIsFailure ? RegistryFetch.Failed("unreachable", $"{file} does not exist") : RegistryFetch.Missing($"{file} does not exist");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return RegistryFetch.Failed("unreachable", $"{file}: {e.Message}");
        }
        string etag = "\"sha256:" + Convert.ToHexStringLower(SHA256.HashData(content)) + "\"";
        return etag == previousETag ? RegistryFetch.NotModified(etag) : new RegistryFetch(RegistryFetchStatus.Ok, content, etag);
    }
}
