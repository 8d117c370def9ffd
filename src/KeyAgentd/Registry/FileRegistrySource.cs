using System.Security.Cryptography;

namespace KeyAgentd.Registry;

/// <summary>
/// A registry in a local file (file:///path). Its "ETag" is the SHA-256 of the content, so an
/// unchanged file is a no-change cycle exactly like an HTTP 304. Reads at most MaxBytes.
/// </summary>
public sealed class FileRegistrySource(string path, long maxBytes) : IRegistrySource
{
    public string Location => "file://" + path;

    public async Task<RegistryFetch> FetchAsync(string? previousETag, CancellationToken cancellationToken)
    {
        byte[] content;
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
            if (stream.Length > maxBytes)
            {
                return RegistryFetch.Failed("too-large", $"{path} is {stream.Length} bytes, more than Registry:MaxBytes ({maxBytes})");
            }
            content = new byte[stream.Length];
            await stream.ReadExactlyAsync(content, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return RegistryFetch.Failed("unreachable", $"{path} does not exist");
        }
        catch (DirectoryNotFoundException)
        {
            return RegistryFetch.Failed("unreachable", $"{path} does not exist");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return RegistryFetch.Failed("unreachable", $"{path}: {e.Message}");
        }
        string etag = "\"sha256:" + Convert.ToHexStringLower(SHA256.HashData(content)) + "\"";
        return etag == previousETag ? RegistryFetch.NotModified(etag) : new RegistryFetch(RegistryFetchStatus.Ok, content, etag);
    }
}
