namespace KeyAgentd.RegistrySource;

/// <summary>What a build does to one document the source builds (README "Registry source: build").</summary>
internal enum BuildChange
{
    /// <summary>No such document in the output directory: written with the build's serial.</summary>
    New,

    /// <summary>The source renders other bytes, or the document's metadata is none a build writes: written with the build's serial.</summary>
    Changed,

    /// <summary>The same content near expiry: written again with the build's serial.</summary>
    Reissued,

    /// <summary>Left alone: same bytes, same serial, same ETag (signed as it is when it has no signature yet).</summary>
    Unchanged,
}
