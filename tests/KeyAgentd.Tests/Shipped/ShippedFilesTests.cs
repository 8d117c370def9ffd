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

    /// <summary>
    /// Every base64 run long enough to hold a key whose blob names a key type and that the project's
    /// own line parser accepts as a key, wherever it stands (a JSON string, YAML, prose, a comment).
    /// </summary>
    private static IEnumerable<string> ParsableKeys(string file)
    {
        int number = 0;
        foreach (string line in File.ReadLines(file))
        {
            number++;
            foreach (Match run in Base64Run().Matches(line))
            {
                if (BlobType(run.Value) is { } type && AuthorizedKeyLineParser.Parse($"{type} {run.Value}").Key is { } key)
                {
                    yield return $"{Relative(file)}:{number} {key.TypeName} {key.Sha256Fingerprint}";
                }
            }
        }
    }

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
}
