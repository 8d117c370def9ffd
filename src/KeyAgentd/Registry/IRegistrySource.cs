namespace KeyAgentd.Registry;

/// <summary>Where snapshots come from: a file or an HTTP(S) URL, behind one interface.</summary>
public interface IRegistrySource
{
    /// <summary>The URL with {hostname} expanded, for logs and status.</summary>
    string Location { get; }

    /// <param name="previousETag">The validator of the last accepted content; a match is a no-change poll.</param>
    Task<RegistryFetch> FetchAsync(string? previousETag, CancellationToken cancellationToken);
}
