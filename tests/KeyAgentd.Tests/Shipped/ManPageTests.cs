using System.CommandLine;
using System.CommandLine.Help;
using System.Text.RegularExpressions;
using KeyAgentd.Cli;

namespace KeyAgentd.Tests.Shipped;

/// <summary>
/// keyagentd(8) (packaging/deb/keyagentd.8, what `man keyagentd` shows on a host) documents every
/// command the CLI registers, each with every option it takes, and the caveat that can lock a host
/// out: sshd refuses every key while its RevokedKeys file is missing.
/// </summary>
public sealed partial class ManPageTests
{
    private static readonly string ManPage = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "packaging", "deb", "keyagentd.8"));

    [Fact]
    public void Every_command_the_cli_registers_has_an_entry_in_the_commands_section()
    {
        var entries = CommandEntries();
        var missing = Leaves(KeyAgentdCli.Build(), "")
            .Where(c => !entries.Any(e => e.Tag == c.Path || e.Tag.StartsWith(c.Path + " ", StringComparison.Ordinal)))
            .Select(c => c.Path)
            .ToList();
        Assert.True(missing.Count == 0, "keyagentd(8) COMMANDS has no entry for: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_option_of_a_command_is_named_in_that_commands_entry()
    {
        var entries = CommandEntries();
        var missing = new List<string>();
        foreach (var (path, command) in Leaves(KeyAgentdCli.Build(), ""))
        {
            var entry = entries.FirstOrDefault(e => e.Tag == path || e.Tag.StartsWith(path + " ", StringComparison.Ordinal));
            if (entry is null)
            {
                continue; // the test above names it
            }
            missing.AddRange(command.Options
                .Where(o => !o.Hidden && o is not HelpOption and not VersionOption && !o.Recursive)
                .Where(o => !Regex.IsMatch(entry.Text, $@"(?<![\w-]){Regex.Escape(o.Name)}(?![\w-])"))
                .Select(o => $"{path} {o.Name}"));
        }
        Assert.True(missing.Count == 0, "keyagentd(8) does not name these options in their command's entry: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_common_options_are_in_their_own_section()
    {
        string section = Plain(Section("COMMON OPTIONS"));
        var missing = KeyAgentdCli.Build().Options.Where(o => o.Recursive && o is not HelpOption and not VersionOption).Select(o => o.Name)
            .Where(name => !section.Contains(name, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "keyagentd(8) COMMON OPTIONS lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void It_warns_that_sshd_refuses_every_key_while_the_revoked_keys_file_is_missing()
    {
        string text = Plain(ManPage);
        Assert.Contains("RevokedKeys", text, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"sshd refuses (every|all) (public )?keys?\b.{0,80}missing", RegexOptions.Singleline), text);
    }

    [Fact]
    public void The_entries_are_read_the_way_man_shows_them()
    {
        // The reader the tests above rely on: a tag line's fonts and escaped hyphens are what man prints.
        Assert.Equal("trust reset-serial --to N", Plain(@".B trust reset-serial \-\-to \fIN\fR"));
        Assert.Contains(CommandEntries(), e => e.Tag.StartsWith("sync", StringComparison.Ordinal) && e.Text.Contains("--dry-run", StringComparison.Ordinal));
    }

    private sealed record Entry(string Tag, string Text);

    /// <summary>The COMMANDS section's .TP entries: the tag line (the command and its synopsis) and the whole paragraph.</summary>
    private static List<Entry> CommandEntries()
    {
        var entries = new List<Entry>();
        foreach (string chunk in Section("COMMANDS").Split("\n.TP\n").Skip(1))
        {
            string[] lines = chunk.Split('\n');
            entries.Add(new Entry(Plain(lines[0]), Plain(chunk)));
        }
        return entries;
    }

    private static string Section(string name)
    {
        int start = ManPage.IndexOf($"\n.SH {name}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"keyagentd(8) has no {name} section");
        int end = ManPage.IndexOf("\n.SH ", start + 1, StringComparison.Ordinal);
        return ManPage[start..(end < 0 ? ManPage.Length : end)];
    }

    /// <summary>roff as man prints it: no font requests or escapes, `\-` a hyphen.</summary>
    private static string Plain(string roff) =>
        FontRequest().Replace(FontEscape().Replace(roff.Replace(@"\-", "-", StringComparison.Ordinal), ""), "").Replace("\\ ", " ", StringComparison.Ordinal).Trim();

    private static IEnumerable<(string Path, Command Command)> Leaves(Command command, string prefix)
    {
        foreach (var sub in command.Subcommands.Where(s => !s.Hidden))
        {
            string path = prefix.Length == 0 ? sub.Name : $"{prefix} {sub.Name}";
            if (sub.Subcommands.Count == 0)
            {
                yield return (path, sub);
            }
            foreach (var leaf in Leaves(sub, path))
            {
                yield return leaf;
            }
        }
    }

    [GeneratedRegex(@"\\f[BIRP]")]
    private static partial Regex FontEscape();

    [GeneratedRegex(@"(?m)^\.(B|I|BI|BR|IR|RB|RI|IB)\s+")]
    private static partial Regex FontRequest();
}
