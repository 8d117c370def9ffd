using KeyAgentd.RegistrySource;
using KeyAgentd.Testing;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>A document read back is exactly the file's bytes, a prefix is exactly that many, and a bound is never passed.</summary>
public sealed class DocumentFileTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(92_000)]
    public void A_document_is_read_whole_and_a_prefix_is_its_first_bytes(int length)
    {
        using var dir = new TempDirectory();
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        string path = dir.File("d.json");
        File.WriteAllBytes(path, bytes);
        Assert.Equal(bytes, DocumentFile.TryRead(path, DocumentFile.MaxDocumentBytes));
        Assert.Equal(bytes.AsSpan(0, Math.Min(length, 4096)).ToArray(), DocumentFile.TryRead(path, DocumentFile.MaxDocumentBytes, prefix: 4096));
    }

    [Fact]
    public void A_file_past_the_bound_is_refused_and_one_at_the_bound_is_read()
    {
        using var dir = new TempDirectory();
        string path = dir.File("d.json");
        File.WriteAllBytes(path, new byte[1001]);
        Assert.Throws<IOException>(() => DocumentFile.TryRead(path, 1000));
        Assert.Equal(1001, DocumentFile.TryRead(path, 1001)!.Length);
        Assert.Null(DocumentFile.TryRead(dir.File("absent.json"), 1000));
    }
}
