namespace KeyAgentd.RegistrySource;

/// <summary>
/// What the directories hold now for one document the source builds: the output directory's copy (and
/// whether a signature lies beside it) and the published copy the guard compares with (the same copy
/// when there is no --diff-against).
/// </summary>
internal sealed record CurrentDocument(DocumentCopy InOutput, DocumentCopy Published, bool SignedInOutput);
