using KeyAgentd.RegistrySource.Signing;
using KeyAgentd.Testing;

namespace KeyAgentd.Tests.RegistrySource.Signing;

/// <summary>
/// An unencrypted Ed25519 key file signs in process, and `ssh-keygen -Y sign -f` is the oracle: Ed25519 is
/// deterministic, so every block must be byte for byte the one ssh-keygen writes for the same file.
/// </summary>
public sealed class Ed25519FileSignerTests
{
    [Fact]
    public void Every_block_is_byte_for_byte_what_ssh_keygen_signs()
    {
        using var dir = new TempDirectory();
        var random = new Random(20261207);
        var documents = new List<string>();
        // Empty, tiny, around SHA-512's 128-byte block, and registry-sized documents, random bytes.
        int[] lengths = [0, 1, 111, 112, 127, 128, 129, 255, 256, 1000, 65_536, 92_000, 300_001];
        for (int i = 0; i < 300; i++)
        {
            var bytes = new byte[i < lengths.Length ? lengths[i] : random.Next(0, 20_000)];
            random.NextBytes(bytes);
            string path = dir.File($"d{i:D3}.json");
            File.WriteAllBytes(path, bytes);
            documents.Add(path);
        }
        foreach (string comment in (string[])["first", "second key with a long comment for padding", ""])
        {
            string key = SshKeygen.GeneratePrivate(dir.Path, $"key{comment.Length}", comment: comment);
            using var signer = Assert.IsType<Ed25519FileSigner>(SignerFactory.Open(key, agentSocket: null));
            var blocks = signer.Sign(documents);
            var oracle = new SshKeygenSigner(key).Sign(documents);
            Assert.Equal(oracle, blocks);
        }
    }

    [Fact]
    public void A_namespace_other_than_the_registrys_is_signed_as_ssh_keygen_signs_it()
    {
        using var dir = new TempDirectory();
        string key = SshKeygen.GeneratePrivate(dir.Path, "root");
        string document = dir.File("root-1.json");
        File.WriteAllText(document, "{\"root\": 1}\n");
        using var signer = Assert.IsType<Ed25519FileSigner>(SignerFactory.Open(key, null, "keyagentd-root"));
        Assert.Equal(new SshKeygenSigner(key, @namespace: "keyagentd-root").Sign([document]), signer.Sign([document]));
    }

    [Theory]
    [InlineData("640")]
    [InlineData("604")]
    [InlineData("620")]
    [InlineData("601")]
    public void A_key_file_group_or_others_may_touch_is_refused_before_it_is_read(string mode)
    {
        using var dir = new TempDirectory();
        string key = SshKeygen.GeneratePrivate(dir.Path, "open");
        Chmod(key, mode);
        var error = Assert.Throws<SigningKeyException>(() => SignerFactory.Open(key, null));
        Assert.Equal(SigningKeyRefusal.TooOpen, error.Refusal);
        Assert.StartsWith("signing-key-too-open: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_read_only_key_file_of_its_owner_signs()
    {
        using var dir = new TempDirectory();
        string key = SshKeygen.GeneratePrivate(dir.Path, "readonly");
        Chmod(key, "400");
        using var signer = Assert.IsType<Ed25519FileSigner>(SignerFactory.Open(key, null));
    }

    [Theory]
    [InlineData("rsa", 3072)]
    [InlineData("ecdsa", 256)]
    public void Other_key_types_are_left_to_ssh_keygen(string type, int bits)
    {
        using var dir = new TempDirectory();
        string key = SshKeygen.GeneratePrivate(dir.Path, type, type, bits);
        Assert.IsType<SshKeygenSigner>(SignerFactory.Open(key, null));
    }

    [Fact]
    public void An_encrypted_key_is_left_to_ssh_keygen_which_owns_passphrases()
    {
        using var dir = new TempDirectory();
        string key = SshKeygen.GeneratePrivate(dir.Path, "encrypted");
        var result = ProcessRunner.Run("ssh-keygen", ["-q", "-p", "-P", "", "-N", "a passphrase", "-f", key]);
        Assert.Equal(0, result.ExitCode);
        Assert.IsType<SshKeygenSigner>(SignerFactory.Open(key, null));
    }

    [Fact]
    public void A_key_whose_public_half_is_not_its_private_halfs_is_refused()
    {
        using var dir = new TempDirectory();
        string key = SshKeygen.GeneratePrivate(dir.Path, "mixed");
        string other = SshKeygen.GeneratePrivate(dir.Path, "other");
        // The private section of one key under the outer public key of another.
        byte[] mixed = Blob(key);
        byte[] donor = Blob(other);
        int at = mixed.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes("ssh-ed25519")) + 11 + 4;
        donor.AsSpan(at, 32).CopyTo(mixed.AsSpan(at));
        WriteBlob(key, mixed);
        var error = Assert.Throws<SigningKeyException>(() => SignerFactory.Open(key, null));
        Assert.Equal(SigningKeyRefusal.Malformed, error.Refusal);
    }

    [Fact]
    public void A_key_whose_check_words_differ_is_refused()
    {
        using var dir = new TempDirectory();
        string key = SshKeygen.GeneratePrivate(dir.Path, "check");
        byte[] blob = Blob(key);
        // The private section follows the public key: its first word is check1.
        int publicEnd = blob.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes("ssh-ed25519")) + 11 + 4 + 32;
        blob[publicEnd + 4] ^= 1;
        WriteBlob(key, blob);
        var error = Assert.Throws<SigningKeyException>(() => SignerFactory.Open(key, null));
        Assert.Equal(SigningKeyRefusal.Malformed, error.Refusal);
    }

    private static void Chmod(string path, string mode) => Assert.Equal(0, ProcessRunner.Run("chmod", [mode, path]).ExitCode);

    private static byte[] Blob(string keyFile)
    {
        string[] lines = File.ReadAllLines(keyFile);
        return Convert.FromBase64String(string.Concat(lines[1..^1]));
    }

    private static void WriteBlob(string keyFile, byte[] blob) =>
        File.WriteAllText(keyFile, "-----BEGIN OPENSSH PRIVATE KEY-----\n" + string.Join('\n', Convert.ToBase64String(blob).Chunk(70).Select(c => new string(c)))
            + "\n-----END OPENSSH PRIVATE KEY-----\n");
}
