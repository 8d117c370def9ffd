using System.CommandLine;
using KeyAgentd.Core;
using KeyAgentd.RootRotation;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd-registry root …`: the registry side of the trust root (docs/trust-root.md "The rotation
/// procedure"): make the first root, propose the next, sign it offline, verify the chain, publish it.
/// </summary>
internal static class TrustRootCommand
{
    public static Command Create()
    {
        var command = new Command("root", "the trust root hosts follow: init, propose, sign, verify, publish");
        command.Subcommands.Add(RootInitCommand.Create());
        command.Subcommands.Add(RootProposeCommand.Create());
        command.Subcommands.Add(RootSignCommand.Create());
        command.Subcommands.Add(RootVerifyCommand.Create());
        command.Subcommands.Add(RootPublishCommand.Create());
        return command;
    }

    /// <summary>--pin SHA256:… (repeatable), as `verify` and `publish` take it.</summary>
    public static Option<string[]> PinOption() => new("--pin")
    {
        Description = "SHA256 fingerprint of a root key the first version must be signed with (repeat for several); without it the first version is checked on its own keys",
    };

    /// <summary>Runs a root command: a refusal is its code and message on stderr and exit 1; so is a file that cannot be read or written.</summary>
    public static int Run(TextWriter stderr, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (RootRefusedException e)
        {
            stderr.WriteLine($"keyagentd-registry: {e.Code}: {SafeText.Escape(e.Message, 2000)}; nothing was written");
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"keyagentd-registry: {SafeText.Escape(e.Message, 600)}");
            return ExitCodes.Failed;
        }
    }

    /// <exception cref="RootRefusedException">A pin is not a SHA256 fingerprint.</exception>
    public static IReadOnlyCollection<string>? Pins(string[]? pins)
    {
        if (pins is null || pins.Length == 0)
        {
            return null;
        }
        foreach (string pin in pins.Where(p => !RootDraft.IsFingerprint(p)))
        {
            throw new RootRefusedException(RootRefusal.ChangeInvalid, $"--pin \"{pin}\" is not a SHA256 key fingerprint");
        }
        return pins;
    }
}
