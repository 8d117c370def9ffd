using KeyAgentd.Configuration;
using KeyAgentd.State;
using KeyAgentd.Trust.Root;
using KeyAgentd.Trust.Tests.Support;
using KeyAgentd.Verify;

namespace KeyAgentd.Tests.Verify;

/// <summary>
/// Where a host's trust root comes from at the start of a cycle: the kept version, verified against the
/// version the trust state records, or the installed first root; every gap fails closed, never "no root".
/// </summary>
public sealed class HostRootsTests : IDisposable
{
    private static readonly SignerKey Alice = RootDocuments.Key("hr-alice");
    private static readonly SignerKey Bob = RootDocuments.Key("hr-bob");
    private static readonly SignerKey Ci = RootDocuments.Key("hr-ci");
    private static readonly (string, SignerKey)[] AliceBob = [("alice", Alice), ("bob", Bob)];
    private static readonly DateTimeOffset Now = RootDocuments.Now;

    private readonly TempDirectory _dir = new("keyagentd-hostroots-");
    private readonly KeyAgentdSettings _settings;

    public HostRootsTests()
    {
        _settings = new KeyAgentdSettings { State = { Directory = _dir.File("state") } };
        _settings.Registry.AllowedSignersFile = _dir.File("no-allowed-signers");
    }

    public void Dispose() => _dir.Dispose();

    private TrustRootStore Store => new(_settings.State.Directory);

    private TrustStateStore TrustFile => new(_settings.State.Directory);

    private static TrustRootDocument Root(long version) => RootDocuments.Document(version, AliceBob, 2, [("ci", Ci)]);

    private HostRootRead Read() => HostRoots.Read(_settings, TrustFile.Load(), Store, Now);

    private void Install(params SignerKey[] signers)
    {
        var (bytes, signature) = RootDocuments.Signed(Root(1), signers);
        _settings.Registry.TrustRootFile = _dir.File("root.json");
        File.WriteAllBytes(_dir.File("root.json.sig"), signature);
        File.WriteAllBytes(_dir.File("root.json"), bytes);
    }

    private void Keep(long version, long? recorded)
    {
        Store.Save(RootDocuments.Trusted(Root(version), Alice, Bob));
        TrustFile.Save(new TrustState { RootVersion = recorded });
    }

    [Fact]
    public void No_root_configured_and_none_kept_is_not_in_use()
    {
        Assert.False(HostRoots.InUse(_settings, TrustFile.Load(), Store));
    }

    [Fact]
    public void The_installed_root_is_accepted_on_its_own_threshold_and_marked_to_be_kept()
    {
        Install(Alice, Bob);
        Assert.True(HostRoots.InUse(_settings, TrustFile.Load(), Store));
        var read = Read();
        Assert.Equal(1, read.Root?.Version);
        Assert.NotNull(read.Installed);
    }

    [Fact]
    public void An_installed_root_below_its_threshold_is_refused_with_its_reason()
    {
        Install(Alice);
        var read = Read();
        Assert.Null(read.Root);
        Assert.Equal(RootReason.ThresholdNotMet, read.Refused?.Reason);
        Assert.Equal(SignatureSetup.TrustRootsUnusable, read.Problem?.Code);
    }

    [Fact]
    public void The_kept_version_recorded_in_the_trust_state_wins_over_the_installed_file()
    {
        Install(Alice, Bob);
        Keep(1, null);
        Keep(2, 2);
        var read = Read();
        Assert.Equal(2, read.Root?.Version);
        Assert.Null(read.Installed);
    }

    [Fact]
    public void A_recorded_version_whose_file_is_missing_fails_closed_even_with_an_installed_file()
    {
        Install(Alice, Bob);
        Keep(1, 2);
        var read = Read();
        Assert.Null(read.Root);
        Assert.Contains("2.json is missing, yet this host holds trust root version 2", read.Problem?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kept_file_of_another_version_than_recorded_fails_closed()
    {
        Keep(1, null);
        File.Copy(Store.DocumentPath(1), Store.DocumentPath(3));
        File.Copy(Store.DocumentPath(1) + ".sig", Store.DocumentPath(3) + ".sig");
        TrustFile.Save(new TrustState { RootVersion = 3 });
        var read = Read();
        Assert.Null(read.Root);
        Assert.Contains("root-rollback", read.Problem?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kept_file_changed_on_disk_fails_closed()
    {
        Keep(1, 1);
        File.WriteAllBytes(Store.DocumentPath(1), TrustRootWriter.Render(RootDocuments.Document(1, AliceBob, 1, [("ci", Alice)])));
        var read = Read();
        Assert.Null(read.Root);
        Assert.Contains("fails verification", read.Problem?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_the_trust_state_missing_the_highest_kept_version_is_the_one_held()
    {
        Keep(1, null);
        Keep(2, null);
        File.Delete(TrustFile.FilePath);
        Assert.True(HostRoots.InUse(_settings, TrustFile.Load(), Store));
        Assert.Equal(2, Read().Root?.Version);
    }

    [Fact]
    public void A_damaged_trust_state_fails_closed()
    {
        Keep(1, 1);
        File.WriteAllText(TrustFile.FilePath, "{}");
        var read = Read();
        Assert.Null(read.Root);
        Assert.Contains("unusable", read.Problem?.Message, StringComparison.Ordinal);
    }
}
