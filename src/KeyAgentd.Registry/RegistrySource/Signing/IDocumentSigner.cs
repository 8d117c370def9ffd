using KeyAgentd.Core.Keys;

namespace KeyAgentd.RegistrySource.Signing;

/// <summary>
/// Signs registry documents (SSHSIG, namespace <see cref="Namespace"/>). Given document files in a
/// private staging directory, returns one armored signature block per file, in order; a signer may
/// write scratch files beside them.
/// </summary>
internal interface IDocumentSigner
{
    public const string Namespace = "keyagentd-registry";

    /// <summary>Who signs, for reports ("SHA256:…" or the key file).</summary>
    string Describe();

    /// <summary>The key the blocks are made with; null when it is not known before signing (a private key file with no .pub beside it).</summary>
    SshPublicKey? PublicKey { get; }

    IReadOnlyList<string> Sign(IReadOnlyList<string> documentPaths);
}
