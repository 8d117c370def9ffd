using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using KeyAgentd.Core.AuthorizedKeys;

namespace KeyAgentd.Tests.Shipped;

/// <summary>
/// What the project ships for people to copy: a key in an example configuration or in the
/// documentation is a key someone may install for root, and whoever holds its private half gets in.
/// The example registry (examples/registry.json, examples/registry-source/) is a different thing: the
/// public keys of example people, which `make run` validates and builds and so must parse; it is no
/// host configuration. Nothing anywhere in the shipped trees may be a private key.
/// </summary>
public sealed partial class ShippedFilesTests
{
    /// <summary>Configuration examples and documentation, relative to the repository root.</summary>
    private static readonly string[] CopiedByOperators = ["README.md", "docs", "packaging", "systemd", "examples/sshd_config.d", "scripts"];

    private static readonly string[] Shipped = [.. CopiedByOperators, "examples"];

    [Fact]
    public void No_example_configuration_or_documentation_carries_a_key_that_parses()
    {
        var found = Files(CopiedByOperators).SelectMany(ParsableKeys).ToList();
        Assert.True(found.Count == 0, "keys that parse: " + string.Join("; ", found));
    }

    [Fact]
    public void Nothing_shipped_is_a_private_key()
    {
        var found = Files(Shipped)
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => l.Text.Contains("PRIVATE KEY-----", StringComparison.Ordinal) || l.Text.StartsWith("PuTTY-User-Key-File", StringComparison.Ordinal))
            .Select(l => $"{Relative(l.File)}:{l.Line}")
            .ToList();
        Assert.True(found.Count == 0, "private key material: " + string.Join(", ", found));
    }

    [Fact]
    public void The_scan_finds_a_key_in_json_yaml_and_prose()
    {
        string key = SshKeygen.Generate("ed25519", comment: "console-breakglass");
        using var temp = new TempDirectory();
        string file = temp.File("example.json");
        File.WriteAllText(file, $"{{ \"root\": [ \"{key}\" ] }}\nroot: [ '{key.Split(' ')[1]}' ]\n");

        Assert.Equal(2, ParsableKeys(file).Count());
        File.WriteAllText(file, "\"root\": [ \"ssh-ed25519 REPLACE_WITH_THE_BREAK_GLASS_PUBLIC_KEY console-breakglass\" ]\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI… alice\n");
        Assert.Empty(ParsableKeys(file));
    }

    [Fact]
    public void The_scan_finds_a_key_whose_slashes_are_escaped_or_that_is_wrapped_across_lines()
    {
        // JSON may escape "/" (a serializer's "\/"), and the daemon reads it back as the key; a key
        // wrapped in a markdown code block or a comment is one paste and one join away from working.
        string rsa = Enumerable.Range(0, 8).Select(_ => SshKeygen.Generate("rsa", comment: "ops", cached: false)).First(k => k.Contains('/', StringComparison.Ordinal));
        string ed25519 = SshKeygen.Generate("ed25519", comment: "console-breakglass").Split(' ')[1];
        using var temp = new TempDirectory();
        string json = temp.File("escaped.json");
        File.WriteAllText(json, $"{{ \"root\": [ \"{rsa.Replace("/", "\\/", StringComparison.Ordinal)}\" ] }}\n");
        string markdown = temp.File("wrapped.md");
        File.WriteAllText(markdown, $"```\nssh-ed25519 {ed25519[..30]}\n{ed25519[30..]} console-breakglass\n```\n");
        string shell = temp.File("wrapped.sh");
        File.WriteAllText(shell, $"# ssh-ed25519 {ed25519[..40]}\n#   {ed25519[40..]}\n");

        Assert.Single(ParsableKeys(json));
        Assert.Single(ParsableKeys(markdown));
        Assert.Single(ParsableKeys(shell));
    }

    /// <summary>
    /// Every base64 run long enough to hold a key whose blob names a key type and that the project's
    /// own line parser accepts as a key, wherever it stands (a JSON string, YAML, prose, a comment),
    /// with JSON's escaped "\/" read as "/", and also when it is wrapped: a run that ends a line joined
    /// with the runs that start the lines after it (past their indent and a comment mark).
    /// </summary>
    private static IEnumerable<string> ParsableKeys(string file)
    {
        string[] lines = [.. File.ReadLines(file).Select(l => l.Replace("\\/", "/", StringComparison.Ordinal))];
        for (int i = 0; i < lines.Length; i++)
        {
            foreach (Match run in Base64Run().Matches(lines[i]))
            {
                if (Key(run.Value) is { } key)
                {
                    yield return $"{Relative(file)}:{i + 1} {key}";
                }
            }
            if (TrailingRun().Match(lines[i]) is not { Success: true } tail)
            {
                continue;
            }
            string joined = tail.Groups[1].Value;
            for (int j = i + 1; j < lines.Length && LeadingRun().Match(lines[j]) is { Success: true } head; j++)
            {
                joined += head.Groups[1].Value;
                if (Key(joined) is { } key)
                {
                    yield return $"{Relative(file)}:{i + 1}-{j + 1} (wrapped) {key}";
                }
                if (head.Length < lines[j].TrimEnd().Length)
                {
                    break;
                }
            }
        }
    }

    /// <summary>"type fingerprint" of a base64 run that is a key's blob, or null.</summary>
    private static string? Key(string base64) =>
        base64.Length >= 60 && BlobType(base64) is { } type && AuthorizedKeyLineParser.Parse($"{type} {base64}").Key is { } key
            ? $"{key.TypeName} {key.Sha256Fingerprint}"
            : null;

    /// <summary>The type name at the start of a wire-format blob (uint32 length, then the name), or null.</summary>
    private static string? BlobType(string base64)
    {
        var bytes = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, bytes, out int length) || length < 8)
        {
            return null;
        }
        uint nameLength = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return nameLength is > 0 and < 64 && 4 + nameLength <= length && bytes.AsSpan(4, (int)nameLength).IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E) < 0
            ? Encoding.ASCII.GetString(bytes, 4, (int)nameLength)
            : null;
    }

    private static IEnumerable<string> Files(IEnumerable<string> roots)
    {
        foreach (string relative in roots)
        {
            string path = Path.Combine(RepositoryRoot.Path, relative);
            if (File.Exists(path))
            {
                yield return path;
            }
            else if (Directory.Exists(path))
            {
                foreach (string file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    yield return file;
                }
            }
        }
    }

    private static string Relative(string path) => Path.GetRelativePath(RepositoryRoot.Path, path);

    [GeneratedRegex("[A-Za-z0-9+/]{60,}={0,2}")]
    private static partial Regex Base64Run();

    [GeneratedRegex(@"(?<![A-Za-z0-9+/])([A-Za-z0-9+/]+)[ \t]*\\?$")]
    private static partial Regex TrailingRun();

    [GeneratedRegex(@"^[ \t]*(?:(?:#|//|;|>|\*|--)[ \t]*)?([A-Za-z0-9+/]+={0,2})")]
    private static partial Regex LeadingRun();
}
