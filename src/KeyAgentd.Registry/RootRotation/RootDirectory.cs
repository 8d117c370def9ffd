using System.Globalization;
using KeyAgentd.RegistrySource;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.RootRotation;

/// <summary>
/// A directory laid out as root versions are published (docs/trust-root.md "Where it is published"):
/// `N.json` and `N.json.sig` for N = 1, 2, …, and `current.json`. The root holders' working directory and
/// the web root's `root/` have the same layout, so one reader serves `verify`, `sign` and `publish`.
/// Files are read as every registry-side directory is (<see cref="DocumentFile"/>: regular files only, no
/// links, bounded).
/// </summary>
internal sealed record RootDirectory(string Path, IReadOnlyList<RootVersionFile> Versions, byte[]? Current)
{
    public const string CurrentName = "current.json";

    public static string DocumentName(long version) => version.ToString(CultureInfo.InvariantCulture) + ".json";

    /// <summary>Every N.json in <paramref name="path"/>, in ascending order (gaps kept as they are: the chain check names them).</summary>
    /// <exception cref="IOException">The directory or a file in it cannot be read.</exception>
    public static RootDirectory Read(string path)
    {
        var versions = new List<RootVersionFile>();
        foreach (string file in Directory.EnumerateFiles(path, "*.json"))
        {
            string name = System.IO.Path.GetFileName(file);
            if (TryVersion(name, out long version))
            {
                byte[] document = DocumentFile.Read(file, TrustRootParser.MaxBytes + 1);
                versions.Add(new RootVersionFile(version, document, DocumentFile.TryRead(file + ".sig", DocumentFile.MaxSignatureBytes)));
            }
        }
        versions.Sort((a, b) => a.Version.CompareTo(b.Version));
        return new RootDirectory(path, versions, DocumentFile.TryRead(System.IO.Path.Combine(path, CurrentName), TrustRootParser.MaxBytes + 1));
    }

    /// <summary>"N.json" with N a decimal version without leading zeros, so one version has one name.</summary>
    public static bool TryVersion(string name, out long version)
    {
        version = 0;
        string digits = name.EndsWith(".json", StringComparison.Ordinal) ? name[..^5] : "";
        return digits.Length is > 0 and < 19 && digits[0] != '0' && digits.All(char.IsAsciiDigit)
            && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out version);
    }

    public RootVersionFile? Find(long version) => Versions.FirstOrDefault(v => v.Version == version);
}
