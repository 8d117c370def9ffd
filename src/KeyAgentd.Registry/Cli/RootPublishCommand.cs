using System.CommandLine;
using KeyAgentd.Core;
using KeyAgentd.RootRotation;

namespace KeyAgentd.Cli;

/// <summary>
/// `root publish --from DIR --to WEBROOT`: the verified chain into WEBROOT/root/, in the order that never
/// leaves a host with a root it cannot check (<see cref="RootPublishPlan"/>, <see cref="RootPublisher"/>).
/// </summary>
internal static class RootPublishCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "the root directory: 1.json … N.json with their .sig", Required = true };
        var to = new Option<string>("--to") { Description = "the web root the snapshots are served from; versions go to WEBROOT/root/", Required = true };
        var pins = TrustRootCommand.PinOption();
        var command = new Command("publish", "verify the chain, then copy new versions into WEBROOT/root/ (.sig first, current.json last)") { from, to, pins };
        command.SetAction(parse => RegistryOptions.WithSettings(parse, settings =>
            Run(parse.GetValue(from)!, parse.GetValue(to)!, parse.GetValue(pins), settings.Policy.MinRsaBits, DateTimeOffset.UtcNow, Console.Out, Console.Error)));
        return command;
    }

    public static int Run(string from, string webRoot, string[]? pinned, int minRsaBits, DateTimeOffset now, TextWriter stdout, TextWriter stderr) =>
        TrustRootCommand.Run(stderr, () =>
        {
            var pins = TrustRootCommand.Pins(pinned);
            var source = RootDirectory.Read(from);
            var chain = RootChainCheck.Verify(source.Versions, pins, minRsaBits, now);
            var steps = RootPublisher.Publish(source, chain, webRoot);
            string target = Path.Combine(webRoot, "root");
            foreach (var step in steps)
            {
                stdout.WriteLine($"wrote {SafeText.Escape(Path.Combine(target, step.Name), 400)}");
            }
            stdout.WriteLine(steps.Count == 0
                ? $"{SafeText.Escape(target, 300)} already publishes version {chain.Newest!.Version}: nothing to write"
                : $"{SafeText.Escape(target, 300)} publishes version {chain.Newest!.Version}; hosts take it at their next poll");
            return ExitCodes.Ok;
        });
}
