using System.Text;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Tests.Snapshot;

/// <summary>A registry key is the same value whether its text is a string or bytes of the document it was read from.</summary>
public class RegistryKeyTests
{
    private const string Line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0ZXN0a2V5IGJ5dGVzIGZvciB0aGUgdGVzdHM= alice";
    private static readonly DateTimeOffset NotAfter = new(2027, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static RegistryKey FromDocument(string? label = null, DateTimeOffset? notAfter = null, string? owner = null)
    {
        byte[] document = Encoding.UTF8.GetBytes("[\"" + Line + "\"]");
        return new RegistryKey(document.AsMemory(2, Line.Length), label, notAfter, owner);
    }

    [Fact]
    public void Bytes_and_string_of_the_same_key_are_equal_with_the_same_hash()
    {
        var read = FromDocument("laptop", NotAfter, "ops");
        var written = new RegistryKey(Line, "laptop", NotAfter, "ops");

        Assert.Equal(Line, read.Key);
        Assert.Equal(written, read);
        Assert.Equal(written.GetHashCode(), read.GetHashCode());
        Assert.Equal(FromDocument(), FromDocument());
    }

    [Fact]
    public void Every_field_still_tells_keys_apart_and_with_changes_only_its_own()
    {
        var key = FromDocument("laptop", NotAfter, "ops") with { Source = "https://example.com/alice.keys" };

        Assert.NotEqual(key, key with { Label = null });
        Assert.NotEqual(key, key with { NotAfter = null });
        Assert.NotEqual(key, key with { Owner = "dev" });
        Assert.NotEqual(key, key with { Source = null });
        Assert.NotEqual(key, key with { Key = Line + "x" });
        var plain = key with { Label = null, NotAfter = null, Owner = null, Source = null };
        Assert.Equal(FromDocument(), plain);
        Assert.Equal(("laptop", NotAfter, "ops", "https://example.com/alice.keys"), (key.Label, key.NotAfter, key.Owner, key.Source));
        Assert.Equal(Line, (key with { Owner = "dev" }).Key);
    }
}
