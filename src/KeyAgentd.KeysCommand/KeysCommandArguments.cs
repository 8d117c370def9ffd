namespace KeyAgentd.KeysCommand;

/// <summary>
/// <c>[--state-dir DIR] USER [FINGERPRINT]</c>, the option anywhere. Hand-rolled: this runs on
/// every login attempt, and a parser library costs more start-up time than the whole job.
/// </summary>
internal sealed record KeysCommandArguments(string? StateDirectory, string User, string? Fingerprint)
{
    public const string Usage = "usage: keyagentd-keys [--state-dir DIR] USER [FINGERPRINT]";

    public static KeysCommandArguments? TryParse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        string? stateDirectory = null;
        var positional = new List<string>(2);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--state-dir")
            {
                if (i + 1 >= args.Count)
                {
                    error = "--state-dir needs a directory";
                    return null;
                }
                stateDirectory = args[++i];
            }
            else if (arg.StartsWith("--state-dir=", StringComparison.Ordinal))
            {
                stateDirectory = arg["--state-dir=".Length..];
            }
            else if (arg == "--")
            {
                positional.AddRange(args.Skip(i + 1));
                break;
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
        if (positional.Count is < 1 or > 2)
        {
            error = positional.Count == 0 ? "missing USER" : "too many arguments";
            return null;
        }
        return new KeysCommandArguments(stateDirectory, positional[0], positional.Count == 2 ? positional[1] : null);
    }
}
