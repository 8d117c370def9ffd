using System.CommandLine;
using System.Text;
using KeyAgentd.RegistrySource;
using KeyAgentd.RegistrySource.Signing;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd registry sign DIR --key FILE`: an SSHSIG block (namespace keyagentd-registry) for every
/// DIR/*.json, appended to the blocks of other signers that still verify (threshold signing).
/// </summary>
internal static class RegistrySignCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("DIR") { Description = "directory of built documents" };
        var key = new Option<string>("--key") { Description = "as ssh-keygen -Y sign -f FILE: a private key file, or a public key whose private half ssh-agent holds", Required = true };
        var command = new Command("sign", "sign every document in DIR (adds to existing signatures)") { directory, key };
        command.SetAction(parse => Run(parse.GetValue(directory)!, parse.GetValue(key)!, Environment.GetEnvironmentVariable("SSH_AUTH_SOCK"), Console.Out, Console.Error));
        return command;
    }

    public static int Run(string directory, string keyFile, string? agentSocket, TextWriter stdout, TextWriter stderr)
    {
        IDocumentSigner? signer = null;
        try
        {
            if (!Directory.Exists(directory))
            {
                throw new IOException($"{directory}: no such directory");
            }
            signer = SignerFactory.Open(keyFile, agentSocket);
            var documents = Directory.EnumerateFiles(directory, "*" + PreviousOutput.Extension)
                .Where(p => !Path.GetFileName(p).StartsWith('.')).Order(StringComparer.Ordinal).ToList();
            using var staging = StagingDirectory.Create(directory);
            // The signer works on links in staging, so whatever it writes beside them never lands in DIR.
            var links = documents.Select(staging.Link).ToList();
            var blocks = signer.Sign(links);
            for (int i = 0; i < documents.Count; i++)
            {
                string sigPath = documents[i] + ".sig";
                byte[]? existing = File.Exists(sigPath) ? File.ReadAllBytes(sigPath) : null;
                string merged = SignatureFile.Merge(existing, File.ReadAllBytes(links[i]), blocks[i]);
                File.Delete(links[i] + ".sig");
                staging.Write(Path.GetFileName(sigPath), Encoding.ASCII.GetBytes(merged));
            }
            staging.PublishSignatures(documents.Select(Path.GetFileName).ToList()!);
            stdout.WriteLine($"{directory}: signed {documents.Count} document(s) by {signer.Describe()}");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"keyagentd: {e.Message}");
            return ExitCodes.Failed;
        }
        finally
        {
            (signer as IDisposable)?.Dispose();
        }
    }
}
