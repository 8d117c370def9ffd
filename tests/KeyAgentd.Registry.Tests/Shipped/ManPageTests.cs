using System.CommandLine;
using System.CommandLine.Help;
using System.Text.RegularExpressions;
using KeyAgentd.Cli;

namespace KeyAgentd.Tests.Shipped;

/// <summary>
/// keyagentd-registry(1) (packaging/deb/registry/keyagentd-registry.1, what `man keyagentd-registry`
/// shows on the build machine) has an entry for every command, naming every option it takes.
/// </summary>
public sealed partial class ManPageTests
{
    private static readonly string ManPage = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "packaging", "deb", "registry", "keyagentd-registry.1"));

    [Fact]
    public void Every_command_has_an_entry_naming_each_of_its_options()
    {
        var entries = ManPage.Split("\n.TP\n").Skip(1).Select(Plain).ToList();
        var missing = new List<string>();
        // A command group (root) has an entry per subcommand, "root init …".
        var commands = RegistryToolCli.Build().Subcommands
            .SelectMany(c => c.Subcommands.Count == 0 ? [(Name: c.Name, Command: c)] : c.Subcommands.Select(s => (Name: $"{c.Name} {s.Name}", Command: s)));
        foreach (var (name, command) in commands)
        {
            string? entry = entries.FirstOrDefault(e => e.StartsWith(name + " ", StringComparison.Ordinal));
            if (entry is null)
            {
                missing.Add(name);
                continue;
            }
            missing.AddRange(command.Options
                .Where(o => !o.Hidden && o is not HelpOption and not VersionOption && !o.Recursive)
                .Where(o => !Regex.IsMatch(entry, $@"(?<![\w-]){Regex.Escape(o.Name)}(?![\w-])"))
                .Select(o => $"{name} {o.Name}"));
        }
        Assert.True(missing.Count == 0, "keyagentd-registry(1) lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_options_every_command_takes_are_in_the_options_section()
    {
        string options = Plain(ManPage[ManPage.IndexOf(".SH OPTIONS", StringComparison.Ordinal)..]);
        Assert.All(RegistryToolCli.Build().Options.Where(o => o.Recursive && o is not HelpOption and not VersionOption), o => Assert.Contains(o.Name, options, StringComparison.Ordinal));
    }

    /// <summary>roff as man prints it: no font requests or escapes, `\-` a hyphen.</summary>
    private static string Plain(string roff) =>
        FontRequest().Replace(FontEscape().Replace(roff.Replace(@"\-", "-", StringComparison.Ordinal), ""), "").Trim();

    [GeneratedRegex(@"\\f[BIRP]")]
    private static partial Regex FontEscape();

    [GeneratedRegex(@"(?m)^\.(B|I|BI|BR|IR|RB|RI|IB)\s+")]
    private static partial Regex FontRequest();
}
