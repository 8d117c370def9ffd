using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.RegistrySource;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>The one comparison of two trees of documents that `diff` and `build --diff-against` both print.</summary>
public sealed class TreeDiffTests
{
    private static readonly KeyPolicy Policy = new(null, TimeZoneInfo.Utc);

    [Fact]
    public void Each_document_is_new_removed_changed_or_counted_unchanged()
    {
        using var source = SourceFixture.Standard();
        var build = new RegistryBuilder(new BuildSettings(Policy, SourceFixture.Now) { Limits = new RemovalLimits(100, 1000) });
        build.Build(source.Read(), source.Output, signer: null);
        string before = Path.Combine(source.Scratch, "before");
        Directory.CreateDirectory(before);
        foreach (string file in Directory.GetFiles(source.Output))
        {
            File.Copy(file, Path.Combine(before, Path.GetFileName(file)));
        }
        File.Delete(Path.Combine(before, "dev-01.json"));
        File.Copy(Path.Combine(before, "web-02.json"), Path.Combine(before, "gone-01.json"));
        source.File("groups.yaml", "ops: [alice@example.com]\ndev: [carol@example.com]\n");
        build.Build(source.Read(), source.Output, signer: null);

        var diff = TreeDiff.Compare(before, source.Output, new DocumentDiffer(Policy, SourceFixture.Now, new RemovalLimits()));

        Assert.Equal(
            [("dev-01", DocumentChange.New), ("gone-01", DocumentChange.Removed), ("web-01", DocumentChange.Changed), ("web-02", DocumentChange.Changed)],
            diff.Documents.Select(d => (d.Name, d.Change)));
        Assert.Equal(0, diff.Unchanged);
        Assert.Contains(diff.Documents.Single(d => d.Name == "web-01").Diff.Changes, c => c.Owner == "bob@example.com" && c.Kind == Core.Source.AccessChangeKind.Lost);
    }

    [Fact]
    public void A_missing_directory_is_an_error_never_an_empty_tree()
    {
        using var source = SourceFixture.Standard();
        Directory.CreateDirectory(source.Output);
        Assert.ThrowsAny<IOException>(() => TreeDiff.Compare(Path.Combine(source.Scratch, "mistyped"), source.Output, new DocumentDiffer(Policy, SourceFixture.Now, new RemovalLimits())));
    }
}
