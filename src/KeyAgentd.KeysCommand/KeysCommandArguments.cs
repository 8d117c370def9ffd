using System.Globalization;

namespace KeyAgentd.KeysCommand;

/// <summary>
/// <c>[--state-dir DIR] [--then-timeout SECONDS] [--principals] USER [FINGERPRINT] [--then COMMAND [ARG...]]</c>,
/// the options anywhere before <c>--then</c>. <c>--principals</c> (sshd's AuthorizedPrincipalsCommand) takes no FINGERPRINT. Hand-rolled: this runs on every login attempt, and a
/// parser library costs more start-up time than the whole job.
/// </summary>
internal sealed record KeysCommandArguments(string? StateDirectory, string User, string? Fingerprint, ChainedCommand? Then)
{
    /// <summary>One line: sshd logs the helper's stderr line by line.</summary>
    public const string Usage = "usage: keyagentd-keys [--state-dir DIR] [--then-timeout SECONDS] USER [FINGERPRINT] [--then COMMAND [ARG...]] | [--state-dir DIR] --principals USER";

    /// <summary>Print the account's admitted certificate principals (AuthorizedPrincipalsCommand) instead of its keys.</summary>
    public bool Principals { get; init; }

    public static KeysCommandArguments? TryParse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        string? stateDirectory = null;
        string? thenTimeout = null;
        ChainedCommand? then = null;
        bool optionsEnded = false;
        bool principals = false;
        var positional = new List<string>(2);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--then")
            {
                // Everything after it is the other command, already expanded by sshd: never ours to read.
                then = TryParseThen(args, i + 1, thenTimeout, out error);
                if (then is null)
                {
                    return null;
                }
                break;
            }
            if (optionsEnded)
            {
                positional.Add(arg);
            }
            else if (arg is "--state-dir" or "--then-timeout")
            {
                if (i + 1 >= args.Count || args[i + 1] == "--then")
                {
                    error = arg == "--state-dir" ? "--state-dir needs a directory" : "--then-timeout needs a number of seconds";
                    return null;
                }
                if (arg == "--state-dir")
                {
                    stateDirectory = args[++i];
                }
                else
                {
                    thenTimeout = args[++i];
                }
            }
            else if (arg.StartsWith("--state-dir=", StringComparison.Ordinal))
            {
                stateDirectory = arg["--state-dir=".Length..];
            }
            else if (arg.StartsWith("--then-timeout=", StringComparison.Ordinal))
            {
                thenTimeout = arg["--then-timeout=".Length..];
            }
            else if (arg == "--principals")
            {
                principals = true;
            }
            else if (arg == "--")
            {
                optionsEnded = true;
            }
            else if (arg.StartsWith('-') && arg.Length > 1)
            {
                error = $"unknown option \"{arg}\"";
                return null;
            }
            else
            {
                positional.Add(arg);
            }
        }
        if (stateDirectory is { Length: 0 })
        {
            error = "--state-dir needs a directory";
            return null;
        }
        if (thenTimeout is not null && then is null)
        {
            error = "--then-timeout without --then";
            return null;
        }
        if (positional.Count is < 1 or > 2)
        {
            error = positional.Count == 0 ? "missing USER" : "too many arguments";
            return null;
        }
        if (principals && (positional.Count == 2 || then is not null))
        {
            error = positional.Count == 2 ? "--principals takes no FINGERPRINT" : "--principals takes no --then";
            return null;
        }
        return new KeysCommandArguments(stateDirectory, positional[0], positional.Count == 2 ? positional[1] : null, then) { Principals = principals };
    }

    private static ChainedCommand? TryParseThen(IReadOnlyList<string> args, int start, string? timeoutText, out string? error)
    {
        error = null;
        if (start >= args.Count)
        {
            error = "--then needs a command";
            return null;
        }
        // sshd itself insists on an absolute AuthorizedKeysCommand; a PATH search would let the
        // AuthorizedKeysCommandUser's environment choose what runs.
        if (!args[start].StartsWith('/'))
        {
            error = $"--then command \"{args[start]}\" is not an absolute path";
            return null;
        }
        var timeout = ChainedCommand.DefaultTimeout;
        if (timeoutText is not null)
        {
            if (!double.TryParse(timeoutText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds) ||
                seconds is <= 0 or > ChainedCommand.MaxTimeoutSeconds)
            {
                error = $"--then-timeout \"{timeoutText}\" is not a number of seconds in (0, {ChainedCommand.MaxTimeoutSeconds}]";
                return null;
            }
            timeout = TimeSpan.FromSeconds(seconds);
        }
        return new ChainedCommand(args[start], [.. args.Skip(start + 1)], timeout);
    }
}
