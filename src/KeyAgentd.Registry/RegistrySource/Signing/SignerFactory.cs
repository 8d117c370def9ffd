using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.RegistrySource.Signing;

/// <summary>
/// `--key FILE` as `ssh-keygen -Y sign -f FILE` reads it: a public key whose private half ssh-agent
/// holds, or a private key file. When the agent holds the key (FILE, or FILE.pub beside a private
/// key), signing happens in this process through the agent. A private key file that is an unencrypted
/// OpenSSH Ed25519 key is signed with in this process (<see cref="Ed25519FileSigner"/>: the same bytes
/// as ssh-keygen, without its process starts), even when an agent holds it too; any other private key
/// file is signed with by ssh-keygen.
/// </summary>
internal static class SignerFactory
{
    /// <exception cref="IOException">The key cannot be used; the message says why.</exception>
    /// <exception cref="SigningKeyException">A private key file open to group or others, or a malformed Ed25519 key.</exception>
    /// <param name="namespace">the SSHSIG namespace the signatures are made in</param>
    public static IDocumentSigner Open(string keyFile, string? agentSocket, string @namespace = IDocumentSigner.Namespace)
    {
        if (!File.Exists(keyFile))
        {
            throw new IOException($"{keyFile}: no such key file");
        }
        var publicKey = ReadPublicKey(keyFile);
        bool isPublic = publicKey is not null;
        if (!isPublic && OpenSshKeyFile.TryReadEd25519(keyFile) is { } fileKey)
        {
            return new Ed25519FileSigner(fileKey, keyFile, @namespace);
        }
        publicKey ??= PublicKeyOf(keyFile);
        if (publicKey is not null && !string.IsNullOrEmpty(agentSocket))
        {
            SshAgentClient? agent = null;
            try
            {
                agent = SshAgentClient.Connect(agentSocket);
                if (agent.Identities().Contains(publicKey))
                {
                    var signer = new AgentSigner(agent, publicKey, @namespace);
                    agent = null;
                    return signer;
                }
            }
            catch (IOException) when (!isPublic)
            {
                // No usable agent: the private key file is signed with directly.
            }
            finally
            {
                agent?.Dispose();
            }
        }
        if (isPublic)
        {
            throw new IOException($"{keyFile} is a public key and ssh-agent (SSH_AUTH_SOCK) does not hold its private half: ssh-add it first");
        }
        return new SshKeygenSigner(keyFile, @namespace: @namespace);
    }

    /// <summary>The public half of --key: the file itself when it is a public key, else FILE.pub beside a private key; null when neither is there.</summary>
    public static SshPublicKey? PublicKeyOf(string keyFile) =>
        File.Exists(keyFile) && ReadPublicKey(keyFile) is { } key ? key
        : File.Exists(keyFile + ".pub") ? ReadPublicKey(keyFile + ".pub") : null;

    private static SshPublicKey? ReadPublicKey(string path)
    {
        using var reader = new StreamReader(path);
        string? first = reader.ReadLine();
        return first is null ? null : AuthorizedKeyLineParser.Parse(first).Key;
    }
}
