using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Tests.Planning;

public class AuthorizedKeysRendererTests
{
    // Base64 writes 0–25 as A–Z, 26–51 as a–z, 52–61 as 0–9, then '+' and '/': in ASCII the digits
    // and '+' '/' sort before the letters, so ordering by the digest's bits would change files.
    private static bool Base64AndAsciiDisagree(char a, char b) =>
        Math.Sign(string.CompareOrdinal(a.ToString(), b.ToString())) != Math.Sign(Rank(a) - Rank(b));

    private static int Rank(char c) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".IndexOf(c, StringComparison.Ordinal);

    private static DesiredKey RandomEd25519(Random random)
    {
        var blob = new byte[4 + 11 + 4 + 32];
        blob[3] = 11;
        "ssh-ed25519"u8.CopyTo(blob.AsSpan(4));
        blob[18] = 32;
        random.NextBytes(blob.AsSpan(19));
        var key = SshPublicKeyDecoder.Decode("ssh-ed25519", Convert.ToBase64String(blob));
        return new DesiredKey(key, KeyOptions.Empty, "same person", "alice", null, null);
    }

    [Fact]
    public void Keys_of_one_owner_and_label_are_ordered_by_their_fingerprint_text_as_before()
    {
        var random = new Random(24);
        var keys = Enumerable.Range(0, 2_000).Select(_ => RandomEd25519(random)).ToList();

        var sorted = AuthorizedKeysRenderer.Sort(keys);

        // The order files were written in before the digests were kept as bytes: the texts, ordinal.
        var expected = keys.OrderBy(k => k.Key.Sha256Fingerprint, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(k => k.Key.Sha256Fingerprint), sorted.Select(k => k.Key.Sha256Fingerprint));
        // The spec covers the characters where the two orders part: neighbours that first differ there.
        int disagreeing = 0;
        for (int i = 1; i < sorted.Count; i++)
        {
            string a = sorted[i - 1].Key.Sha256Fingerprint, b = sorted[i].Key.Sha256Fingerprint;
            int at = a.AsSpan().CommonPrefixLength(b);
            disagreeing += Base64AndAsciiDisagree(a[at], b[at]) ? 1 : 0;
        }
        Assert.True(disagreeing > 100, $"only {disagreeing} neighbours differ where base64 and ASCII order disagree");
    }

    [Fact]
    public void The_rendered_file_is_the_same_whatever_order_the_registry_lists_keys_in()
    {
        var random = new Random(7);
        var keys = Enumerable.Range(0, 50).Select(_ => RandomEd25519(random)).ToList();

        string forward = AuthorizedKeysRenderer.RenderExclusive(keys, []);
        string backward = AuthorizedKeysRenderer.RenderExclusive(Enumerable.Reverse(keys), []);

        Assert.Equal(forward, backward);
    }
}
