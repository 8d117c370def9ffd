using System.Globalization;

namespace KeyAgentd.Trust.Tests.Support;

/// <summary>ssh-keygen -Y sign and -Y verify: the reference this library must agree with.</summary>
public static class OpenSsh
{
    public const string Namespace = "keyagentd-registry";

    /// <summary>`ssh-keygen -Y sign -n NS -f KEY [-O hashalg=…] FILE`; returns the .sig file's bytes.</summary>
    public static byte[] Sign(SignerKey key, byte[] message, string @namespace = Namespace, string? hashAlgorithm = null)
    {
        using var dir = new TempDirectory("keyagentd-sign-");
        string file = dir.File("snapshot.json");
        File.WriteAllBytes(file, message);
        var args = new List<string> { "-Y", "sign", "-n", @namespace, "-f", key.PrivateKeyPath };
        if (hashAlgorithm is not null)
        {
            args.AddRange(["-O", $"hashalg={hashAlgorithm}"]);
        }
        args.Add(file);
        var result = ProcessRunner.Run("ssh-keygen", args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ssh-keygen -Y sign failed: {result.Stderr}");
        }
        return File.ReadAllBytes(file + ".sig");
    }

    /// <summary>
    /// `ssh-keygen -Y verify -f ALLOWED -I PRINCIPAL -n NS -s SIG [-O verify-time=…] &lt; FILE`: true on exit 0.
    /// <paramref name="timeZone"/> sets TZ, for allowed_signers times without 'Z'.
    /// </summary>
    public static bool Verify(string allowedSigners, string principal, byte[] signature, byte[] message,
        DateTimeOffset? verifyTime = null, string @namespace = Namespace, string? timeZone = null, string? revokedFile = null)
    {
        using var dir = new TempDirectory("keyagentd-verify-");
        File.WriteAllText(dir.File("allowed_signers"), allowedSigners);
        File.WriteAllBytes(dir.File("snapshot.sig"), signature);
        File.WriteAllBytes(dir.File("snapshot.json"), message);
        string command = "exec ssh-keygen -Y verify -f \"$1/allowed_signers\" -I \"$2\" -n \"$3\" -s \"$1/snapshot.sig\"";
        var args = new List<string> { "-c", "", "sh", dir.Path, principal, @namespace };
        if (verifyTime is { } when)
        {
            command += " -O verify-time=\"$4\"";
            args.Add(when.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "Z");
        }
        if (revokedFile is not null)
        {
            File.WriteAllText(dir.File("revoked"), revokedFile);
            command += " -r \"$1/revoked\"";
        }
        args[1] = command + " < \"$1/snapshot.json\"";
        var environment = timeZone is null ? null : new Dictionary<string, string> { ["TZ"] = timeZone };
        return ProcessRunner.Run("sh", args, environment: environment).ExitCode == 0;
    }
}
