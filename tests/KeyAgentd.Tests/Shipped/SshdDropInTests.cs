namespace KeyAgentd.Tests.Shipped;

/// <summary>
/// One sshd drop-in: examples/sshd_config.d/keyagentd.conf is what the package installs, what the
/// documentation quotes (docs/operating-a-host.md) and what the end-to-end sshd tests run with. Two copies drifted once (the packaged one
/// had an active RevokedKeys line the documentation's copy did not show), and a reader enabled what they had not read.
/// </summary>
public sealed class SshdDropInTests
{
    private const string Source = "examples/sshd_config.d/keyagentd.conf";
    private const string Installed = "usr/share/keyagentd/sshd_config.d/keyagentd.conf";

    private static string Text(string relative) => File.ReadAllText(Path.Combine(RepositoryRoot.Path, relative));

    [Fact]
    public void The_readme_quotes_the_drop_in_whole_and_byte_for_byte()
    {
        string dropIn = Text(Source);
        Assert.Contains("\n```\n" + dropIn + "```\n", Text("docs/operating-a-host.md"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_package_installs_that_very_file_and_carries_no_other_copy()
    {
        string build = Text("packaging/build-deb.sh");
        // Trimmed: the line stands inside the per-architecture function, indented.
        var installs = build.Split('\n').Select(l => l.Trim()).Where(l => l.Contains(Installed, StringComparison.Ordinal) && l.StartsWith("install ", StringComparison.Ordinal)).ToList();
        Assert.Equal([$"install -m 0644 {Source} \"$root/{Installed}\""], installs);
        // No second drop-in anywhere in the packaging tree to drift from the first.
        var copies = Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "packaging"), "*", SearchOption.AllDirectories)
            .Where(f => File.ReadLines(f).Any(l => l.StartsWith("AuthorizedKeysCommand ", StringComparison.Ordinal) || l.StartsWith("RevokedKeys ", StringComparison.Ordinal)))
            .Select(f => Path.GetRelativePath(RepositoryRoot.Path, f))
            .ToList();
        Assert.True(copies.Count == 0, "sshd directives outside the one drop-in: " + string.Join(", ", copies));
    }

    [Fact]
    public void Every_directive_is_explained_by_the_comment_above_it_and_revoked_keys_is_active()
    {
        string[] lines = Text(Source).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            bool directive = lines[i].Length > 0 && !lines[i].StartsWith('#');
            bool explained = i > 0 && lines[i - 1].StartsWith("# ", StringComparison.Ordinal);
            Assert.True(!directive || explained, $"line {i + 1} has no comment above it: {lines[i]}");
        }
        Assert.Contains("RevokedKeys /var/lib/keyagentd/revoked_keys.krl", lines);
        Assert.Contains("AuthorizedKeysCommand /usr/lib/keyagentd/keyagentd-keys %u %f", lines);
    }
}
