namespace KeyAgentd.RegistrySource.Signing;

/// <summary>Why `registry sign` refuses a document (and so signs nothing at all): typed, the command words it.</summary>
internal enum SignRefusal
{
    /// <summary>No readable schema v1 header (serial, issued_at, expires_at, audience).</summary>
    Unreadable,

    /// <summary>No build.content: not written by `registry build`.</summary>
    NotBuilt,

    /// <summary>The body does not match build.content: edited after it was built.</summary>
    DigestMismatch,

    /// <summary>The digest holds but the bytes are not the builder's rendering (reformatted, fields added).</summary>
    NotCanonical,

    /// <summary>It already carries signatures and no --allowed-signers was given to check them.</summary>
    SignaturesUnchecked,

    /// <summary>A signature block it carries does not verify against --allowed-signers.</summary>
    SignatureInvalid,

    /// <summary>--source: the source does not produce a document of this name.</summary>
    NotInSource,

    /// <summary>--source: the document differs from what the source builds, by at least one byte.</summary>
    DiffersFromSource,

    /// <summary>--source: the source produces this document and DIR does not hold it.</summary>
    MissingFromDirectory,

    /// <summary>--source: the content is the source's, but its metadata is none a build writes (a serial far past the clock, an approval for another serial, issued in the future).</summary>
    ImplausibleMetadata,
}
