namespace KeyAgentd.Fetch;

public enum RegistryFetchStatus
{
    /// <summary>New content to validate.</summary>
    Ok,

    /// <summary>Same as last time (HTTP 304, or an unchanged file): a cheap no-change cycle.</summary>
    NotModified,

    /// <summary>The registry could not be read; <see cref="RegistryFetch.ErrorCode"/> says why.</summary>
    Failed,

    /// <summary>The registry answered that there is no such document (HTTP 404/410, no such file); only signature and trust root fetches report it.</summary>
    Missing,
}

/// <summary>The outcome of one poll of the registry.</summary>
public sealed record RegistryFetch(RegistryFetchStatus Status, byte[]? Content = null, string? ETag = null, string? ErrorCode = null, string? Message = null)
{
    public static RegistryFetch NotModified(string? etag) => new(RegistryFetchStatus.NotModified, ETag: etag);

    public static RegistryFetch Failed(string code, string message) => new(RegistryFetchStatus.Failed, ErrorCode: code, Message: message);

    public static RegistryFetch Missing(string message) => new(RegistryFetchStatus.Missing, Message: message);
}
