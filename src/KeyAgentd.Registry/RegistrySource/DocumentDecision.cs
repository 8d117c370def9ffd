using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// <see cref="BuildPlan"/>'s verdict on one document: what changes, the header to write it under, the
/// bytes to sign as they are, and the mass-removal guard's verdict against what hosts hold now.
/// </summary>
internal sealed record DocumentDecision(RenderedDocument Target, BuildChange Change)
{
    public string Name => Target.Name;

    /// <summary>The header to write the target's body under (the build's serial); null when the document is left alone.</summary>
    public DocumentHeader? Header { get; init; }

    /// <summary>An unchanged document with no signature yet when the build signs: the very bytes judged, to sign (never the file again).</summary>
    public byte[]? SignAsIs { get; init; }

    /// <summary>The diff a host would refuse under the mass-removal guard; null when the guard holds.</summary>
    public SnapshotDiff? Guarded { get; init; }
}
