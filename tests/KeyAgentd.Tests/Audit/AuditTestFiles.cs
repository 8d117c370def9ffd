using System.Security.Cryptography;
using System.Text;

namespace KeyAgentd.Tests.Audit;

/// <summary>Tampering with a log the way an intruder would: by editing its lines in place.</summary>
internal static class AuditTestFiles
{
    public static string Sha256(string line) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(line)));

    public static void RewriteLines(string path, Func<string[], IEnumerable<string>> change)
    {
        string[] lines = File.ReadAllLines(path);
        File.WriteAllText(path, string.Concat(change(lines).Select(l => l + "\n")));
    }
}
