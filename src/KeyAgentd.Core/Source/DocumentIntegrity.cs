namespace KeyAgentd.Core.Source;

/// <summary>Whether a document's bytes are what `registry build` writes for its own header (<see cref="BuiltDocument.Check"/>).</summary>
public enum DocumentIntegrity
{
    Intact,

    /// <summary>Not a schema v1 document with a readable serial, expiry and audience.</summary>
    Unreadable,

    /// <summary>No build.content: not written by `registry build`.</summary>
    NotBuilt,

    /// <summary>The body's digest is not the build.content of its header: edited after the build.</summary>
    DigestMismatch,

    /// <summary>The digest holds, but the bytes are not the builder's rendering of them (reformatted, fields added).</summary>
    NotCanonical,
}
