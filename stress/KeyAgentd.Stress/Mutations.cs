using System.Text;

namespace KeyAgentd.Stress;

/// <summary>Hostile snapshot generator: a valid base document, then one to three seeded mutations.</summary>
public static class Mutations
{
    public static readonly string[] AccountNames = ["deploy", "alice", "ops"];

    private static readonly string[] HostileText =
    [
        "\\u0000", "\\n", "\\r\\n", "\\u2028", "\\u001b[31m", "\\t", "\\\"", "\\\\",
        "x\\ncommand=\\\"rm -rf /\\\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl evil",
        "command=\\\"/bin/sh\\\"", "\\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl injected",
        "environment=\\\"LD_PRELOAD=/tmp/x\\\"", "\\\" command=\\\"id\\\"", "\\u0085", "\\ud800", "é", "# comment",
    ];

    private static readonly string[] HostileAccounts = ["a/b", "..", ".", "a b", "../../etc", "root\\n", "x\\u0000y", "", "-rf", "a:b", "ünï", "deploy/..", " deploy"];

    private static readonly string[] HugeNumbers = ["1e400", "99999999999999999999999999", "-1", "1.5", "0x10", "null", "\"42\"", "18446744073709551616", "-0", "9223372036854775807"];

    public static byte[] Make(Random rng, int index)
    {
        string text = Base(rng, index);
        int count = 1 + rng.Next(3);
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        for (int m = 0; m < count; m++)
        {
            bytes = rng.Next(12) switch
            {
                0 => FlipBytes(rng, bytes),
                1 => bytes[..rng.Next(bytes.Length)],
                2 => Utf8(Encoding.UTF8.GetString(bytes).Replace("\"serial\": 7", "\"serial\": " + Pick(rng, HugeNumbers), StringComparison.Ordinal)),
                3 => Nest(rng, bytes),
                4 => InvalidUtf8(rng, bytes),
                5 => Utf8(Encoding.UTF8.GetString(bytes).Replace("\"serial\": 7,", "\"serial\": 7, \"serial\": 3,", StringComparison.Ordinal)
                        .Replace("\"accounts\": {", "\"accounts\": { \"deploy\": { \"keys\": [] },", StringComparison.Ordinal)),
                _ => bytes, // most cases are already hostile from the generator
            };
        }
        return bytes;
    }

    /// <summary>A structurally valid document whose fields carry hostile text at random places.</summary>
    private static string Base(Random rng, int index)
    {
        string Hostile() => rng.Next(3) == 0 ? Pick(rng, HostileText) : "";
        string Key(int n)
        {
            string line = Keys.Ed25519(index, n, "c" + n + Hostile());
            return rng.Next(10) switch
            {
                0 => "no-pty" + Hostile() + " " + line,
                1 => "from=\\\"10.0.0.0/8" + Hostile() + "\\\" " + line,
                2 => line + Hostile() + "\\n" + Keys.Ed25519(index, n + 100, "second"),
                3 => line.Replace("ssh-ed25519", Pick(rng, ["ssh-rsa", "ssh-dss", "ecdsa-sha2-nistp256", "ssh-ed25519-cert-v01@openssh.com", "SSH-ED25519"]), StringComparison.Ordinal),
                4 => line[..^(5 + rng.Next(20))],
                _ => line,
            };
        }
        string Entry(int n) =>
            $"{{ \"key\": \"{Key(n)}\", \"label\": \"l{n}{Hostile()}\", \"owner\": \"o{Hostile()}\"" +
            (rng.Next(4) == 0 ? $", \"not_after\": \"{(rng.Next(2) == 0 ? "2020-01-01T00:00:00Z" : "2099-01-01T00:00:00Z")}\"" : "") + " }";
        var accounts = AccountNames.ToList();
        if (rng.Next(3) == 0)
        {
            accounts.Add(Pick(rng, HostileAccounts));
        }
        var sb = new StringBuilder();
        sb.Append("{ \"schema\": \"keyagentd.registry/v1\", \"serial\": 7, \"issued_at\": \"2026-01-01T00:00:00Z\", \"expires_at\": \"2099-01-01T00:00:00Z\",\n");
        sb.Append("  \"people\": { \"p@x\": { \"keys\": [ ").Append(Entry(0)).Append(", ").Append(Entry(1)).Append(" ] } },\n");
        sb.Append("  \"accounts\": {");
        for (int a = 0; a < accounts.Count; a++)
        {
            sb.Append(a == 0 ? " " : ", ");
            sb.Append($"\"{accounts[a]}\": {{ \"grants\": [\"p@x\"{(rng.Next(5) == 0 ? ", \"nobody@x" + Hostile() + "\"" : "")}]");
            if (rng.Next(4) == 0)
            {
                sb.Append($", \"options\": \"{Pick(rng, ["no-agent-forwarding", "restrict", "command=\\\"id\\\"", "from=\\\"*\\\"", "no-pty,", "permitopen=\\\"a:1\\\"" + Hostile()])}{Hostile()}\"");
            }
            sb.Append($", \"keys\": [ {Entry(10 + a)} ] }}");
        }
        sb.Append(" },\n  \"revoked\": [ ").Append(rng.Next(4) == 0 ? "\"SHA256:x" + Hostile() + "\"" : "").Append(" ] }\n");
        return sb.ToString();
    }

    private static byte[] FlipBytes(Random rng, byte[] bytes)
    {
        byte[] copy = (byte[])bytes.Clone();
        for (int i = rng.Next(1, 8); i > 0 && copy.Length > 0; i--)
        {
            copy[rng.Next(copy.Length)] ^= (byte)(1 << rng.Next(8));
        }
        return copy;
    }

    private static byte[] Nest(Random rng, byte[] bytes)
    {
        int depth = rng.Next(2) == 0 ? 60 : 100_000;
        string deep = new string('[', depth) + new string(']', depth);
        string text = Encoding.UTF8.GetString(bytes);
        int at = text.IndexOf("\"people\"", StringComparison.Ordinal);
        return at < 0 ? bytes : Utf8(text.Insert(at, $"\"x\": {deep}, "));
    }

    private static byte[] InvalidUtf8(Random rng, byte[] bytes)
    {
        byte[][] bad = [[0xC0, 0x80], [0xFF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82]];
        int at = rng.Next(bytes.Length);
        return [.. bytes[..at], .. bad[rng.Next(bad.Length)], .. bytes[at..]];
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static T Pick<T>(Random rng, T[] items) => items[rng.Next(items.Length)];
}
