namespace KeyAgentd.Tests.Support;

/// <summary>promtool (Debian package prometheus), the oracle for metrics files and alert rules.</summary>
public static class Promtool
{
    public const string Missing = "promtool is not installed (apt-get install -y prometheus); promtool checks skipped";

    public static string? Executable() =>
        new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists);

    public static ProcessRunner.Result Run(params string[] arguments) => Run(arguments, stdin: null);

    public static ProcessRunner.Result Run(IEnumerable<string> arguments, string? stdin) =>
        ProcessRunner.Run(Executable() ?? throw new InvalidOperationException(Missing), arguments, stdin);
}

/// <summary>Runs when promtool is installed; otherwise skips and says why.</summary>
public sealed class PromtoolFactAttribute : FactAttribute
{
    public PromtoolFactAttribute()
    {
        if (Promtool.Executable() is null)
        {
            Skip = Promtool.Missing;
        }
    }
}

/// <summary>A theory that runs when promtool is installed; otherwise skips and says why.</summary>
public sealed class PromtoolTheoryAttribute : TheoryAttribute
{
    public PromtoolTheoryAttribute()
    {
        if (Promtool.Executable() is null)
        {
            Skip = Promtool.Missing;
        }
    }
}
