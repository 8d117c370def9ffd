using System.Buffers;
using System.Security.Cryptography;
using KeyAgentd.Storage;

namespace KeyAgentd.Fetch;

/// <summary>
/// A registry in a local file (file:///path). Its "ETag" is the SHA-256 of the content, so an
/// unchanged file is a no-change cycle exactly like an HTTP 304. Reads at most MaxBytes. A file whose
/// <see cref="FileIdentity"/> has not changed since it was last read is not read or hashed again.
/// </summary>
public sealed class FileRegistrySource(string path, long maxBytes) : IRegistrySource
{
    private (FileIdentity Identity, string ETag)? _lastRead;

    public string Location => "file://" + path;

    public string SignatureLocation => "file://" + path + ".sig";

    public async Task<RegistryFetch> FetchAsync(string? previousETag, CancellationToken cancellationToken)
    {
        bool known = FileIdentity.TryOf(path, out var identity);
        if (known && previousETag is not null && _lastRead is { } last && last.Identity == identity && last.ETag == previousETag)
        {
            return RegistryFetch.NotModified(previousETag);
        }
        var fetch = await ReadAsync(path, previousETag, missingIsFailure: true, cancellationToken).ConfigureAwait(false);
        // The identity from before the read: a file replaced meanwhile differs from it next time and is read again.
        _lastRead = known && identity.IsSettled(DateTimeOffset.UtcNow) && fetch.ETag is { } etag && fetch.Status is RegistryFetchStatus.Ok or RegistryFetchStatus.NotModified
            ? (identity, etag)
            : null;
        return fetch;
    }

    public Task<RegistryFetch> FetchSignatureAsync(CancellationToken cancellationToken) =>
        ReadAsync(path + ".sig", null, missingIsFailure: false, cancellationToken);

    public string LocationBeside(string relativePath) => "file://" + Beside(relativePath);

    public Task<RegistryFetch> FetchBesideAsync(string relativePath, string? previousETag, CancellationToken cancellationToken) =>
        ReadAsync(Beside(relativePath), previousETag, missingIsFailure: false, cancellationToken);

    private string Beside(string relativePath) => Path.Combine(Path.GetDirectoryName(path) ?? "/", relativePath);

    private async Task<RegistryFetch> ReadAsync(string file, string? previousETag, bool missingIsFailure, CancellationToken cancellationToken)
    {
        byte[] content;
        try
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
            if (stream.Length > maxBytes)
            {
                return RegistryFetch.Failed(FetchProblem.TooLarge.ToCode(), $"{file} is {stream.Length} bytes, more than Registry:MaxBytes ({maxBytes})");
            }
            if (previousETag is not null && await ETagOfAsync(stream, cancellationToken).ConfigureAwait(false) == previousETag)
            {
                // Unchanged: hashed through a small buffer, never held whole (a snapshot is megabytes).
                return RegistryFetch.NotModified(previousETag);
            }
            stream.Position = 0;
            content = new byte[stream.Length];
            await stream.ReadExactlyAsync(content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return missingIsFailure ? RegistryFetch.Failed(FetchProblem.Unreachable.ToCode(), $"{file} does not exist") : RegistryFetch.Missing($"{file} does not exist");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return RegistryFetch.Failed(FetchProblem.Unreachable.ToCode(), $"{file}: {e.Message}");
        }
        string etag = ETagOf(SHA256.HashData(content));
        return etag == previousETag ? RegistryFetch.NotModified(etag) : new RegistryFetch(RegistryFetchStatus.Ok, content, etag);
    }

    private static string ETagOf(byte[] sha256) => "\"sha256:" + Convert.ToHexStringLower(sha256) + "\"";

    private static async Task<string> ETagOfAsync(FileStream stream, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return ETagOf(hash.GetHashAndReset());
    }
}
