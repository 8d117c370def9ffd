using System.Security.Cryptography;
using System.Text;
using KeyAgentd.Storage;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// Where `registry build` keeps its sources' answers between builds (README "What build writes"):
/// --state-dir, or $XDG_STATE_HOME/keyagentd-registry/&lt;source&gt; ($XDG_STATE_HOME defaulting to
/// ~/.local/state), one subdirectory per source tree (the first 16 hex digits of the SHA-256 of its
/// full path), so two sources built on one machine never replay each other's directory. Never inside
/// --out: whatever is in --out is copied to the web root or bucket and copied back, so nothing there is state.
/// </summary>
internal static class RegistryStateDirectory
{
    /// <summary>Kept answers earlier versions left in --out; never read, removed by a build that succeeds.</summary>
    public static readonly string[] LegacyFilesInOutput = [Ldap.LdapCache.FileName, KeysUrl.KeysUrlCache.FileName];

    public static string Default(string sourcePath)
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string root = !string.IsNullOrEmpty(xdg) && Path.IsPathFullyQualified(xdg) ? xdg : Path.Combine(home, ".local", "state");
        string source = Path.TrimEndingDirectorySeparator(Path.GetFullPath(sourcePath));
        return Path.Combine(root, "keyagentd-registry", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)))[..16]);
    }

    /// <summary>Creates the directory (0700, owner-only: it holds the directory's whole answer) and refuses one inside the output.</summary>
    /// <exception cref="IOException">The state directory is --out or inside it.</exception>
    public static string Prepare(string stateDirectory, string outputDirectory)
    {
        string state = Path.TrimEndingDirectorySeparator(Path.GetFullPath(stateDirectory));
        string output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputDirectory));
        // Compared where they lead, not as spelled: a symlink on the way must not put the state inside --out.
        string relative = Path.GetRelativePath(Canonical(output), Canonical(state));
        if (relative == "." || !(relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)))
        {
            throw new IOException($"--state-dir {stateDirectory} is inside --out {outputDirectory}: whatever is in --out is published and copied back, so it cannot hold the build's state");
        }
        Posix.CreateDirectories(state, Posix.Mode0700);
        return state;
    }

    /// <summary>The path with every symlink of its longest existing ancestor resolved (realpath); the rest, not there yet, as written.</summary>
    private static string Canonical(string fullPath)
    {
        string existing = fullPath;
        string rest = "";
        while (true)
        {
            if (Posix.TryRealPath(existing, out _) is { } resolved)
            {
                return rest.Length == 0 ? resolved : Path.Combine(resolved, rest);
            }
            if (Path.GetDirectoryName(existing) is not { } parent)
            {
                return fullPath;
            }
            rest = rest.Length == 0 ? Path.GetFileName(existing) : Path.Combine(Path.GetFileName(existing), rest);
            existing = parent;
        }
    }

    /// <summary>Removes the kept answers an earlier version wrote into --out, so the next publish removes them from the web root too.</summary>
    public static void RemoveLegacyFiles(string outputDirectory)
    {
        foreach (string name in LegacyFilesInOutput)
        {
            Posix.UnlinkIfPresent(Path.Combine(outputDirectory, name));
        }
    }
}
