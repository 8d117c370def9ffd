using System.CommandLine;
using System.Text;
using KeyAgentd.RegistrySource;
using KeyAgentd.RegistrySource.Signing;
using KeyAgentd.Storage;
using Mono.Unix.Native;

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
            // The signer works on private copies, so it can never write beside a published document.
            var copies = documents.Select(p => staging.Write(Path.GetFileName(p), File.ReadAllBytes(p))).ToList();
            var blocks = signer.Sign(copies);
            for (int i = 0; i < documents.Count; i++)
            {
                string sigPath = documents[i] + ".sig";
                byte[]? existing = File.Exists(sigPath) ? File.ReadAllBytes(sigPath) : null;
                string merged = SignatureFile.Merge(existing, File.ReadAllBytes(copies[i]), blocks[i]);
                DurableFile.WriteAllBytes(sigPath, Encoding.ASCII.GetBytes(merged),
                    FilePermissions.S_IRUSR | FilePermissions.S_IWUSR | FilePermissions.S_IRGRP | FilePermissions.S_IROTH);
            }
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
