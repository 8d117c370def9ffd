using System.Text;
using KeyAgentd.Trust.Revocation;
using KeyAgentd.Trust.Tests.Support;

namespace KeyAgentd.Trust.Tests.Revocation;

/// <summary>
/// The revoked signers file in every form it accepts, each KRL made by `ssh-keygen -k` and each
/// verdict compared with `ssh-keygen -Q` over revoked and unrevoked keys of every type; and every
/// form it refuses, which is a <see cref="FormatException"/> for the whole file, never a skipped line.
/// </summary>
public class RevokedSignersTests
{
    private static readonly SignerKey[] Keys =
    [
        SignerKey.Get("ed25519", name: "krl-1"),
        SignerKey.Get("ed25519", name: "krl-2"),
        SignerKey.Get("ecdsa", 256, "krl-3"),
        SignerKey.Get("ecdsa", 384, "krl-4"),
        SignerKey.Get("rsa", 3072, "krl-5"),
        SignerKey.Get("ed25519", name: "krl-6"),
    ];

    private static SignerKey Ca => SignerKey.Get("ed25519", name: "krl-ca");

    /// <summary>KRL spec (ssh-keygen(1) "KEY REVOCATION LISTS") → which of <see cref="Keys"/> it names.</summary>
    public static TheoryData<string> Specs => new()
    {
        "key: 0",
        "sha1: 1",
        "sha256: 2",
        "hash: 3",
        "key: 0, sha1: 2, sha256: 4, hash: 5",
        "key: 4, key: 2",
        "none",
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void A_krl_revokes_exactly_what_ssh_keygen_Q_says_it_revokes(string spec)
    {
        byte[] krl = KrlOracle.FromSpec(SpecLines(spec));

        var revoked = RevokedSigners.Parse(krl);

        foreach (var key in Keys)
        {
            Assert.True(KrlOracle.Revokes(krl, key.PublicLine) == revoked.Contains(key.Key), $"{spec}: {key.PublicLine}");
        }
        Assert.Equal(spec == "none" ? 0 : spec.Split(',').Length, Keys.Count(k => revoked.Contains(k.Key)));
    }

    [Fact]
    public void A_krl_with_certificate_serials_and_key_ids_is_read_and_revokes_only_the_plain_keys_it_names()
    {
        byte[] krl = KrlOracle.FromSpec(["serial: 1", "serial: 10-20", "serial: 30-4000", "id: laptop", "id: build host", $"key: {Keys[1].PublicLine}"], Ca.PublicLine);

        var revoked = RevokedSigners.Parse(krl);

        foreach (var key in Keys.Append(Ca))
        {
            Assert.Equal(KrlOracle.Revokes(krl, key.PublicLine), revoked.Contains(key.Key));
        }
        Assert.True(revoked.Contains(Keys[1].Key));
        Assert.Equal(1, revoked.Count);
    }

    [Fact]
    public void A_krl_of_several_whole_keys_made_by_ssh_keygen_k_revokes_them_all()
    {
        byte[] krl = KrlOracle.FromKeys(Keys[0].PublicLine, Keys[2].PublicLine, Keys[4].PublicLine);

        var revoked = RevokedSigners.Parse(krl);

        Assert.Equal([true, false, true, false, true, false], Keys.Select(k => revoked.Contains(k.Key)));
        Assert.All(Keys, k => Assert.Equal(KrlOracle.Revokes(krl, k.PublicLine), revoked.Contains(k.Key)));
    }

    [Fact]
    public void The_krl_keyagentd_writes_for_sshd_reads_back()
    {
        byte[] krl = KrlWriter.Write([KrlWriter.Sha256FromFingerprint(Keys[3].Key.Sha256Fingerprint)], [Keys[5].Key], new KrlOptions { Version = 9 });

        var revoked = RevokedSigners.Parse(krl);

        Assert.All(Keys, k => Assert.Equal(KrlOracle.Revokes(krl, k.PublicLine), revoked.Contains(k.Key)));
        Assert.Equal(2, revoked.Count);
    }

    public static TheoryData<string, string> TextForms => new()
    {
        { "fingerprint", "{fp}" },
        { "fingerprint with a comment", "{fp} # leaked, ticket 4711" },
        { "fingerprint with a tab and words", "{fp}\told laptop" },
        { "ssh-keygen -l line", "{l}" },
        { "public key line", "{pub}" },
        { "public key line, CRLF", "{pub}\r" },
        { "key without comment", "{keytext}" },
        { "authorized_keys line with options", "restrict,from=\"10.0.0.0/8\" {pub}" },
        { "allowed_signers line", "alice@example.com {keytext}" },
        { "allowed_signers line with options and a comment", "\"alice@example.com,ops\" namespaces=\"keyagentd-registry\",valid-before=\"20300101Z\" {keytext} old laptop" },
        { "indented, after comments and blank lines", "# retired keys\n\n   {pub}\n# end" },
    };

    [Theory]
    [MemberData(nameof(TextForms))]
    public void Each_text_form_revokes_the_key_it_names_and_no_other(string form, string template)
    {
        var key = Keys[2];
        string text = template.Replace("{fp}", key.Key.Sha256Fingerprint, StringComparison.Ordinal)
            .Replace("{l}", SshKeygen.Fingerprint(key.PublicLine + "\n").Lines.Single(), StringComparison.Ordinal)
            .Replace("{pub}", key.PublicLine, StringComparison.Ordinal)
            .Replace("{keytext}", key.KeyText, StringComparison.Ordinal) + "\n";

        var revoked = RevokedSigners.Parse(Encoding.UTF8.GetBytes(text));

        Assert.True(revoked.Contains(key.Key), form);
        Assert.Equal([key.PublicLine], Keys.Where(k => revoked.Contains(k.Key)).Select(k => k.PublicLine));
    }

    [Fact]
    public void A_certificate_line_revokes_the_key_it_certifies()
    {
        var revoked = RevokedSigners.Parse(Encoding.UTF8.GetBytes(SshKeygen.SignUserCertificate(Keys[0].PublicLine) + "\n"));

        Assert.True(revoked.Contains(Keys[0].Key));
    }

    [Fact]
    public void Text_forms_agree_with_ssh_keygen_Y_verify_r()
    {
        // ssh-keygen -Y verify -r takes a KRL or a file of public keys: the forms both understand must agree.
        byte[] message = "{\"serial\": 1}\n"u8.ToArray();
        var key = Keys[0];
        string allowed = $"alice {key.KeyText}\n";
        string revokedText = $"# retired\n{key.PublicLine}\n";

        Assert.False(OpenSsh.Verify(allowed, "alice", OpenSsh.Sign(key, message), message, revokedFile: revokedText));
        Assert.True(RevokedSigners.Parse(Encoding.UTF8.GetBytes(revokedText)).Contains(key.Key));
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "words", "compromised laptop key" },
        { "fingerprint cut short", "SHA256:abcdefgh # leaked" },
        { "fingerprint glued to its comment", "{fp}#leaked" },
        { "MD5 fingerprint", "{md5}" },
        { "key type without a key", "ssh-ed25519" },
        { "broken base64", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA!!!! x" },
        { "unknown key type", "ssh-foo AAAAC3NzaC1lZDI1NTE5AAAAIA== x" },
        { "allowed_signers line with a bad option", "alice nosuch=\"x\" {keytext}" },
        { "a good line then a bad one", "{fp}\nthe old laptop" },
        { "a control character", "{fp}\u001b[2J" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_line_that_names_no_key_fails_the_whole_file_with_its_line_number(string form, string template)
    {
        var key = Keys[2];
        string text = template.Replace("{fp}", key.Key.Sha256Fingerprint, StringComparison.Ordinal)
            .Replace("{md5}", key.Key.Md5Fingerprint, StringComparison.Ordinal)
            .Replace("{keytext}", key.KeyText, StringComparison.Ordinal) + "\n";

        var e = Assert.Throws<FormatException>(() => RevokedSigners.Parse(Encoding.UTF8.GetBytes(text)));

        Assert.StartsWith($"line {text.Split('\n').Length - 1}: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', e.Message);
        _ = form;
    }

    [Fact]
    public void A_text_file_saved_with_a_byte_order_mark_and_crlf_revokes_what_it_names()
    {
        byte[] text = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes($"{Keys[0].Key.Sha256Fingerprint} # leaked\r\n{Keys[1].PublicLine}\r\n")];

        var revoked = RevokedSigners.Parse(text);

        Assert.True(revoked.Contains(Keys[0].Key));
        Assert.True(revoked.Contains(Keys[1].Key));
        Assert.False(revoked.Contains(Keys[2].Key));
    }

    [Fact]
    public void Bytes_that_are_neither_a_krl_nor_utf8_text_fail()
    {
        Assert.Throws<FormatException>(() => RevokedSigners.Parse(new byte[] { 0xff, 0xfe, 0x00, 0x41 }));
    }

    public static TheoryData<string> MalformedKrls => new()
    {
        "truncated header",
        "truncated section",
        "format version 2",
        "signature section",
        "extension section",
        "unknown section 6",
        "SHA1 hash of 19 bytes",
        "SHA256 hash of 31 bytes",
        "trailing byte inside a section",
        "unknown certificate subsection",
    };

    [Theory]
    [MemberData(nameof(MalformedKrls))]
    public void A_krl_that_is_not_read_in_full_fails(string form)
    {
        byte[] krl = KrlOracle.FromKeys(Keys[0].PublicLine);
        byte[] bad = form switch
        {
            "truncated header" => krl[..20],
            "truncated section" => krl[..^3],
            "format version 2" => [.. krl[..8], 0, 0, 0, 2, .. krl[12..]],
            "signature section" => [.. krl, .. Section(4, new WireBuilder().String(Keys[1].Key.PlainBlob()).String("sig"u8).ToArray())],
            "extension section" => [.. krl, .. Section(255, new WireBuilder().String("x@example.com").Raw([0]).String(""u8).ToArray())],
            "unknown section 6" => [.. krl, .. Section(6, [])],
            "SHA1 hash of 19 bytes" => [.. krl, .. Section(3, new WireBuilder().String(new byte[19]).ToArray())],
            "SHA256 hash of 31 bytes" => [.. krl, .. Section(5, new WireBuilder().String(new byte[31]).ToArray())],
            "trailing byte inside a section" => [.. krl, .. Section(5, [.. new WireBuilder().String(new byte[32]).ToArray(), 7])],
            "unknown certificate subsection" => [.. krl, .. Section(1, new WireBuilder().String(""u8).String(""u8).Raw([0x40]).String(""u8).ToArray())],
            _ => throw new ArgumentOutOfRangeException(nameof(form), form, null),
        };

        Assert.Throws<FormatException>(() => RevokedSigners.Parse(bad));
    }

    [Fact]
    public void Any_damage_to_a_krl_is_a_format_error_never_another_exception()
    {
        // Every section kind ssh-keygen writes, a certificate section under an ECDSA CA (whose point is decoded) included.
        var ecdsaCa = SignerKey.Get("ecdsa", 256, "krl-ecdsa-ca");
        byte[] keys = KrlOracle.FromSpec([$"key: {Keys[0].PublicLine}", $"sha1: {Keys[2].PublicLine}", $"hash: {Keys[4].Key.Sha256Fingerprint}"]);
        byte[] certs = KrlOracle.FromSpec(["serial: 1", "serial: 10-20", "id: laptop"], ecdsaCa.PublicLine);
        foreach (byte[] krl in new[] { keys, certs })
        {
            for (int i = 8; i < krl.Length; i++)
            {
                foreach (byte value in new byte[] { 0x00, 0x01, 0x7f, 0x80, 0xff, (byte)(krl[i] ^ 0x01) })
                {
                    byte[] damaged = [.. krl];
                    damaged[i] = value;
                    AssertParsesOrFormatError(damaged);
                }
                AssertParsesOrFormatError(krl[..i]);
            }
        }
    }

    private static void AssertParsesOrFormatError(byte[] krl)
    {
        try
        {
            RevokedSigners.Parse(krl);
        }
        catch (FormatException)
        {
        }
    }

    private static byte[] Section(byte type, byte[] data) => [type, .. new WireBuilder().String(data).ToArray()];

    private static IEnumerable<string> SpecLines(string spec)
    {
        if (spec == "none")
        {
            yield break;
        }
        foreach (string part in spec.Split(", "))
        {
            string[] kindAndIndex = part.Split(": ");
            var key = Keys[int.Parse(kindAndIndex[1], System.Globalization.CultureInfo.InvariantCulture)];
            yield return kindAndIndex[0] == "hash" ? $"hash: {key.Key.Sha256Fingerprint}" : $"{kindAndIndex[0]}: {key.PublicLine}";
        }
    }
}
