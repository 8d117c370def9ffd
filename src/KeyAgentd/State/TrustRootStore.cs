using System.Globalization;
using KeyAgentd.Storage;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.State;

/// <summary>
/// state-dir/root/N.json and N.json.sig: every trust root version this host accepted, each exactly as it
/// was signed, written durably (temp file, fsync, rename, fsync of the directory). Which one is current is
/// recorded in the trust state (<see cref="TrustState.RootVersion"/>), written after the files, so a crash
/// between the two leaves the previous version current and its file in place. Older versions are kept: a
/// few kilobytes each, and the host's own record of the chain it walked.
/// </summary>
public sealed class TrustRootStore(string stateDirectory)
{
    public const string DirectoryName = "root";

    /// <summary>A root names a handful of keys; a megabyte is far beyond any real one.</summary>
    public const int MaxBytes = 1 << 20;

    public string Directory { get; } = Path.Combine(Path.GetFullPath(stateDirectory), DirectoryName);

    public string DocumentPath(long version) => Path.Combine(Directory, version.ToString(CultureInfo.InvariantCulture) + ".json");

    /// <summary>Writes the signature first, then the document: a document on disk always has its .sig.</summary>
    /// <exception cref="IOException">Not (fully) written; the message names the path.</exception>
    public void Save(TrustRoot root)
    {
        ArgumentNullException.ThrowIfNull(root);
        StateDirectory.Create(Directory);
        string document = DocumentPath(root.Version);
        DurableFile.WriteAllBytes(document + ".sig", root.Signature, Posix.Mode0644);
        DurableFile.WriteAllBytes(document, root.Bytes, Posix.Mode0644);
    }

    /// <summary>Version N's document and signature as kept; null when the document is not there.</summary>
    /// <exception cref="InvalidDataException">Something other than a regular file, too large, or a document without its .sig.</exception>
    /// <exception cref="IOException">It could not be read.</exception>
    public (byte[] Document, byte[] Signature)? Load(long version)
    {
        string document = DocumentPath(version);
        byte[]? bytes = Posix.ReadStateFile(document, MaxBytes);
        if (bytes is null)
        {
            return null;
        }
        byte[] signature = Posix.ReadStateFile(document + ".sig", MaxBytes)
            ?? throw new InvalidDataException($"{document}.sig is missing");
        return (bytes, signature);
    }

    /// <summary>The highest version with a document kept here; null when none is (or the directory is missing).</summary>
    public long? HighestVersion()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return null;
        }
        long? highest = null;
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            if (long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out long version) && version > 0
                && name == version.ToString(CultureInfo.InvariantCulture) && version > (highest ?? 0))
            {
                highest = version;
            }
        }
        return highest;
    }
}
