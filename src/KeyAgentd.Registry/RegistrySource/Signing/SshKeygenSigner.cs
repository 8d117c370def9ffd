using System.Diagnostics;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.RegistrySource.Signing;

/// <summary>
/// Signs with a private key file through `ssh-keygen -Y sign`, many documents per run (it loads the key,
/// and asks for its passphrase, once per run). ssh-keygen reads every private key format and
/// passphrase KDF OpenSSH has, and talks to a security key for sk- key handles, so no private key
/// parser lives in this process.
/// </summary>
/// <param name="namespace">the SSHSIG namespace: snapshots' by default, keyagentd-root for a trust root</param>
internal sealed class SshKeygenSigner(string keyFile, string sshKeygen = "ssh-keygen", string @namespace = IDocumentSigner.Namespace) : IDocumentSigner
{
    /// <summary>Keeps each command line far below ARG_MAX with long paths.</summary>
    private const int BatchSize = 500;

    public SshPublicKey? PublicKey { get; } = SignerFactory.PublicKeyOf(keyFile);

    public string Describe() => $"{keyFile} (ssh-keygen -Y sign)";

    public IReadOnlyList<string> Sign(IReadOnlyList<string> documentPaths)
    {
        var blocks = new List<string>(documentPaths.Count);
        foreach (var batch in documentPaths.Chunk(BatchSize))
        {
            var start = new ProcessStartInfo(sshKeygen) { UseShellExecute = false, RedirectStandardOutput = true };
            foreach (string argument in (string[])["-Y", "sign", "-q", "-f", keyFile, "-n", @namespace])
            {
                start.ArgumentList.Add(argument);
            }
            foreach (string path in batch)
            {
                File.Delete(path + ".sig");
                start.ArgumentList.Add(path);
            }
            using var process = Process.Start(start) ?? throw new IOException($"cannot run {sshKeygen}");
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new IOException($"{sshKeygen} -Y sign -f {keyFile} failed (exit {process.ExitCode})");
            }
            foreach (string path in batch)
            {
                blocks.Add(File.ReadAllText(path + ".sig"));
                File.Delete(path + ".sig");
            }
        }
        return blocks;
    }
}
