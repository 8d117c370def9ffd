namespace KeyAgentd.RootRotation;

/// <summary>One version of a root directory: N.json's bytes and N.json.sig's (null when it has none yet).</summary>
internal sealed record RootVersionFile(long Version, byte[] Document, byte[]? Signature);
