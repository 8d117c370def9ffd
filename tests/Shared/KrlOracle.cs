namespace KeyAgentd.Testing;

/// <summary>
/// OpenSSH key revocation lists made and judged by ssh-keygen itself: `ssh-keygen -k` writes them
/// from public keys or a KRL spec (key:, sha1:, sha256:, hash:, serial:, id:), and `ssh-keygen -Q`
/// is the oracle for "does this KRL revoke this key".
/// </summary>
public static class KrlOracle
{
    /// <summary>`ssh-keygen -k -f KRL pub…`: revokes each whole public key line (the explicit-key section).</summary>
    public static byte[] FromKeys(params string[] publicLines)
    {
        using var dir = new TempDirectory("keyagentd-krl-");
        var args = new List<string> { "-q", "-k", "-f", dir.File("krl") };
        for (int i = 0; i < publicLines.Length; i++)
        {
            File.WriteAllText(dir.File($"k{i}.pub"), publicLines[i] + "\n");
            args.Add(dir.File($"k{i}.pub"));
        }
        return Run(args, dir);
    }

    /// <summary>`ssh-keygen -k [-s CA.pub] -f KRL SPEC`, the spec lines as ssh-keygen(1) "KEY REVOCATION LISTS" describes them.</summary>
    public static byte[] FromSpec(IEnumerable<string> specLines, string? caPublicLine = null)
    {
        using var dir = new TempDirectory("keyagentd-krl-");
        File.WriteAllText(dir.File("spec"), string.Join('\n', specLines) + "\n");
        var args = new List<string> { "-q", "-k", "-f", dir.File("krl") };
        if (caPublicLine is not null)
        {
            File.WriteAllText(dir.File("ca.pub"), caPublicLine + "\n");
            args.AddRange(["-s", dir.File("ca.pub")]);
        }
        args.Add(dir.File("spec"));
        return Run(args, dir);
    }

    /// <summary>`ssh-keygen -Q -f KRL KEY.pub`: true when ssh-keygen says the key is revoked (exit 1, "REVOKED").</summary>
    public static bool Revokes(byte[] krl, string publicLine)
    {
        using var dir = new TempDirectory("keyagentd-krl-q-");
        File.WriteAllBytes(dir.File("krl"), krl);
        File.WriteAllText(dir.File("key.pub"), publicLine + "\n");
        var result = ProcessRunner.Run("ssh-keygen", ["-Q", "-f", dir.File("krl"), dir.File("key.pub")]);
        return result.ExitCode switch
        {
            0 => false,
            1 when result.Stdout.Contains("REVOKED", StringComparison.Ordinal) => true,
            _ => throw new InvalidOperationException($"ssh-keygen -Q failed ({result.ExitCode}): {result.Stdout}{result.Stderr}"),
        };
    }

    private static byte[] Run(List<string> args, TempDirectory dir)
    {
        var result = ProcessRunner.Run("ssh-keygen", args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ssh-keygen -k failed: {result.Stderr}");
        }
        return File.ReadAllBytes(dir.File("krl"));
    }
}
