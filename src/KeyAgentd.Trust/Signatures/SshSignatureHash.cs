namespace KeyAgentd.Trust.Signatures;

/// <summary>The message hashes PROTOCOL.sshsig allows (sshsig.c sshsig_check_hashalg): nothing else.</summary>
public enum SshSignatureHash
{
    Sha256,
    Sha512,
}
