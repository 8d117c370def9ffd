using System.Collections.Concurrent;

namespace KeyAgentd.Testing;

/// <summary>
/// ssh-keygen as the oracle: generates real keys at test time and says what it thinks of a file.
/// Generated keys are cached per (type, bits) for the test run: key generation is the slow part.
/// </summary>
public static class SshKeygen
{
    private static readonly string Scratch = Directory.CreateTempSubdirectory("keyagentd-keys-").FullName;
    // Lazy values make "generate once per key" atomic: test classes run in parallel, and two threads
    // must never both generate (and hand out different keys for) the same cache entry.
    private static readonly ConcurrentDictionary<string, Lazy<string>> Cache = new();
    private static int s_counter;

    /// <summary>Returns a fresh public key line "type base64 comment" of the given type and size.</summary>
    public static string Generate(string type, int bits = 0, string comment = "test key", bool cached = true)
    {
        if (!cached)
        {
            return GenerateNew(type, bits, comment);
        }
        return Cache.GetOrAdd($"{type}/{bits}/{comment}", _ => new Lazy<string>(() => GenerateNew(type, bits, comment))).Value;
    }

    private static string GenerateNew(string type, int bits, string comment)
    {
        string path = System.IO.Path.Combine(Scratch, $"k{Interlocked.Increment(ref s_counter)}");
        var args = new List<string> { "-q", "-t", type, "-N", "", "-C", comment, "-f", path };
        if (bits > 0)
        {
            args.InsertRange(0, ["-b", bits.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        var result = ProcessRunner.Run("ssh-keygen", args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ssh-keygen -t {type} failed: {result.Stderr}");
        }
        return File.ReadAllText(path + ".pub").TrimEnd('\n');
    }

    /// <summary>Private key path of a freshly generated key (for signing certificates, logging in).</summary>
    public static string GeneratePrivate(string directory, string name, string type = "ed25519", int bits = 0, string comment = "test")
    {
        string path = System.IO.Path.Combine(directory, name);
        var args = new List<string> { "-q", "-t", type, "-N", "", "-C", comment, "-f", path };
        if (bits > 0)
        {
            args.InsertRange(0, ["-b", bits.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        var result = ProcessRunner.Run("ssh-keygen", args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ssh-keygen failed: {result.Stderr}");
        }
        return path;
    }

    /// <summary>The lines `ssh-keygen -l [-E md5] -f FILE` prints for the given text.</summary>
    public static (int ExitCode, string[] Lines) Fingerprint(string fileText, bool md5 = false)
    {
        string path = System.IO.Path.Combine(Scratch, $"fp{Interlocked.Increment(ref s_counter)}.pub");
        File.WriteAllText(path, fileText);
        var args = new List<string> { "-l", "-f", path };
        if (md5)
        {
            args.InsertRange(0, ["-E", "md5"]);
        }
        var result = ProcessRunner.Run("ssh-keygen", args);
        return (result.ExitCode, result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>True if ssh-keygen can read the single key line (the oracle for "valid key").</summary>
    public static bool Accepts(string line) => Fingerprint(line + "\n").Lines.Length == 1;

    /// <summary>RFC 4716 export, as PuTTYgen's "Save public key" writes it.</summary>
    public static string ExportRfc4716(string publicKeyLine)
    {
        string path = System.IO.Path.Combine(Scratch, $"ex{Interlocked.Increment(ref s_counter)}.pub");
        File.WriteAllText(path, publicKeyLine + "\n");
        var result = ProcessRunner.Run("ssh-keygen", ["-e", "-f", path]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ssh-keygen -e failed: {result.Stderr}");
        }
        return result.Stdout;
    }

    /// <summary>Signs a user certificate for <paramref name="publicKeyLine"/> with a fresh CA; returns the cert line.</summary>
    public static string SignUserCertificate(string publicKeyLine, string principal = "alice")
    {
        string dir = Directory.CreateTempSubdirectory("keyagentd-ca-").FullName;
        string ca = GeneratePrivate(dir, "ca");
        File.WriteAllText(System.IO.Path.Combine(dir, "user.pub"), publicKeyLine + "\n");
        var result = ProcessRunner.Run("ssh-keygen", ["-q", "-s", ca, "-I", "test-id", "-n", principal, System.IO.Path.Combine(dir, "user.pub")]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ssh-keygen -s failed: {result.Stderr}");
        }
        return File.ReadAllText(System.IO.Path.Combine(dir, "user-cert.pub")).TrimEnd('\n');
    }
}
