using System.CommandLine;
using KeyAgentd.Core;
using KeyAgentd.RegistrySource;
using KeyAgentd.RootRotation;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.Cli;

/// <summary>
/// `root verify DIR|FILE [--pin SHA256:…]`: the chain 1..N as a host walks it, each version's verdict
/// with its reason code and, per signature block, which principal signed and whether it counts.
/// Exit 0: every version accepted, the newest not expired and current.json (when there) its copy;
/// 1: a version refused, the newest expired, or current.json not the newest; 2: nothing to verify.
/// </summary>
internal static class RootVerifyCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("DIR|FILE") { Description = "a root directory (N.json, N.json.sig, current.json; a web root's root/ too), or one version in it: the chain up to that version" };
        var pins = TrustRootCommand.PinOption();
        var command = new Command("verify", "verify a chain of root versions as hosts will, with every version's reason code") { path, pins };
        command.SetAction(parse => RegistryOptions.WithSettings(parse, settings =>
            Run(parse.GetValue(path)!, parse.GetValue(pins), settings.Policy.MinRsaBits, DateTimeOffset.UtcNow, Console.Out, Console.Error)));
        return command;
    }

    public static int Run(string path, string[]? pinned, int minRsaBits, DateTimeOffset now, TextWriter stdout, TextWriter stderr) =>
        TrustRootCommand.Run(stderr, () =>
        {
            var pins = TrustRootCommand.Pins(pinned);
            RootDirectory directory;
            bool whole = Directory.Exists(path);
            if (whole)
            {
                directory = RootDirectory.Read(path);
                if (directory.Versions.Count == 0 && Directory.Exists(Path.Combine(path, "root")))
                {
                    // A web root: its versions are under root/.
                    directory = RootDirectory.Read(Path.Combine(path, "root"));
                }
            }
            else if (File.Exists(path))
            {
                directory = Upto(path, minRsaBits);
            }
            else
            {
                stderr.WriteLine($"keyagentd-registry: {SafeText.Escape(path, 300)}: no such directory or file");
                return ExitCodes.Usage;
            }
            if (directory.Versions.Count == 0)
            {
                stderr.WriteLine($"keyagentd-registry: {SafeText.Escape(directory.Path, 300)} holds no root version (1.json, 2.json, …)");
                return ExitCodes.Usage;
            }
            var chain = RootChainCheck.Verify(directory.Versions, pins, minRsaBits, now);
            RootReport.WriteChain(chain, pins, stdout);
            bool currentOk = true;
            if (whole && directory.Current is { } current && chain.Newest is { } newest)
            {
                currentOk = current.AsSpan().SequenceEqual(directory.Versions[^1].Document) && newest.Version == directory.Versions[^1].Version;
                stdout.WriteLine(currentOk
                    ? $"{RootDirectory.CurrentName}: version {newest.Version}"
                    : $"{RootDirectory.CurrentName}: not the bytes of version {directory.Versions[^1].Version} (publish again: it is written last)");
            }
            return chain.IsComplete && currentOk ? ExitCodes.Ok : ExitCodes.Failed;
        });

    /// <summary>One file: N.json with the versions before it in its directory, or a file of another name checked on its own.</summary>
    private static RootDirectory Upto(string file, int minRsaBits)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
        if (RootDirectory.TryVersion(Path.GetFileName(file), out long version))
        {
            var all = RootDirectory.Read(directory);
            return all with { Versions = [.. all.Versions.Where(v => v.Version <= version)], Current = null };
        }
        byte[] document = DocumentFile.Read(file, TrustRootParser.MaxBytes + 1, followSymlink: true);
        long named = TrustRootParser.TryParse(document, minRsaBits, out var root, out _) ? root.Version : 1;
        return new RootDirectory(directory, [new RootVersionFile(named, document, DocumentFile.TryRead(file + ".sig", DocumentFile.MaxSignatureBytes))], null);
    }
}
