namespace KeyAgentd.Core.Keys;

/// <summary>The key families sshd knows; certificates wrap one of these.</summary>
public enum SshKeyAlgorithm
{
    Rsa,
    Dsa,
    Ecdsa,
    Ed25519,
    SkEcdsa,
    SkEd25519,
}
