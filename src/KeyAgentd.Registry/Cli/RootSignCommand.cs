using System.CommandLine;
using KeyAgentd.Core;
using KeyAgentd.RootRotation;

namespace KeyAgentd.Cli;

/// <summary>`root sign FILE --key KEY`: one root holder's SSHSIG block appended to FILE.sig (<see cref="RootSigning"/>).</summary>
internal static class RootSignCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "the root version to sign, DIR/N.json (its predecessor N-1.json beside it, when there is one)" };
        var key = new Option<string>("--key") { Description = "as ssh-keygen -Y sign -f FILE: a private key file, or a public key whose private half ssh-agent holds (a FIDO security key works through either)", Required = true };
        var command = new Command("sign", "add this root holder's signature (namespace keyagentd-root) to a root version") { file, key };
        command.SetAction(parse => RegistryOptions.WithSettings(parse, settings =>
            Run(parse.GetValue(file)!, parse.GetValue(key)!, Environment.GetEnvironmentVariable("SSH_AUTH_SOCK"), settings.Policy.MinRsaBits, DateTimeOffset.UtcNow, Console.Out, Console.Error)));
        return command;
    }

    public static int Run(string file, string keyFile, string? agentSocket, int minRsaBits, DateTimeOffset now, TextWriter stdout, TextWriter stderr) =>
        TrustRootCommand.Run(stderr, () =>
        {
            var outcome = RootSigning.Sign(file, keyFile, agentSocket, minRsaBits, now);
            stdout.WriteLine($"{SafeText.Escape(file, 300)}.sig: version {outcome.Version} signed by {outcome.Key.Sha256Fingerprint} ({SafeText.Escape(outcome.Principals, 400)}) through {outcome.Signer}; {outcome.Blocks} block(s)");
            stdout.WriteLine($"  its own root principals: {outcome.Own.DistinctValidSigners} of {outcome.Own.Threshold} required");
            if (outcome.ByPrevious is { } previous)
            {
                stdout.WriteLine($"  version {outcome.Version - 1}'s root principals: {previous.DistinctValidSigners} of {previous.Threshold} required");
            }
            return ExitCodes.Ok;
        });
}
