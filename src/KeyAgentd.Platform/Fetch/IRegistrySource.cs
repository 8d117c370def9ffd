namespace KeyAgentd.Fetch;

/// <summary>Where snapshots come from: a file or an HTTP(S) URL, behind one interface.</summary>
public interface IRegistrySource
{
    /// <summary>The URL with {hostname} expanded, for logs and status.</summary>
    string Location { get; }

    /// <summary>Where the detached signature is: <see cref="Location"/> + ".sig".</summary>
    string SignatureLocation { get; }

    /// <param name="previousETag">The validator of the last accepted content; a match is a no-change poll.</param>
    Task<RegistryFetch> FetchAsync(string? previousETag, CancellationToken cancellationToken);

    /// <summary>
    /// The detached SSHSIG file U.sig beside the snapshot U, read the same way (same size cap, same
    /// resilience). Always unconditional: it is fetched right after new snapshot bytes, which need
    /// their own signature, never an older one. <see cref="RegistryFetchStatus.Missing"/> when there is none.
    /// </summary>
    Task<RegistryFetch> FetchSignatureAsync(CancellationToken cancellationToken);

    /// <summary>Where a document published beside the snapshots is (<paramref name="relativePath"/> such as "root/3.json", resolved against <see cref="Location"/>).</summary>
    string LocationBeside(string relativePath);

    /// <summary>
    /// A document published beside the snapshots (the trust root's <c>root/N.json</c> and its .sig), read with
    /// the same size cap and resilience. Conditional when <paramref name="previousETag"/> is given;
    /// <see cref="RegistryFetchStatus.Missing"/> when the registry has no such document (the normal answer for
    /// a root version not published yet).
    /// </summary>
    Task<RegistryFetch> FetchBesideAsync(string relativePath, string? previousETag, CancellationToken cancellationToken);
}
