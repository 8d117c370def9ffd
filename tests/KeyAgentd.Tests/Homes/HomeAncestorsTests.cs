using KeyAgentd.Accounts;
using KeyAgentd.Homes;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Homes;

/// <summary>
/// The planning stage keeps the directories above the homes open from one account's walk to the
/// next. What is shared is the system calls, never the verdict: each account's walk still judges
/// every ancestor for that account.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HomeAncestorsTests
{
    private const string Keys = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice\n";

    private readonly HomeKeyFiles _files = new();

    [RootFact]
    public void An_ancestor_its_owner_walked_first_is_still_refused_for_the_next_account() => AncestorJudgedPerAccount(ownerFirst: true);

    [RootFact]
    public void An_ancestor_refused_for_one_account_is_still_accepted_for_its_owner() => AncestorJudgedPerAccount(ownerFirst: false);

    private void AncestorJudgedPerAccount(bool ownerFirst)
    {
        using var alice = TestAccount.Create();
        alice.MakeSshDir();
        alice.MakeKeyFile(Keys);
        // The base dir belongs to alice: fine above her own home, not above anyone else's.
        TestAccount.Chown(alice.BaseDir, alice.Uid, alice.Gid);
        string otherHome = Path.Combine(alice.BaseDir, "other");
        Directory.CreateDirectory(otherHome);
        TestAccount.Chown(otherHome, 65534, 65534);
        var other = new AccountInfo("other", 65534, 65534, otherHome, "/bin/sh");
        using var ancestors = new HomeAncestors();

        var first = ownerFirst ? _files.ReadAuthorizedKeys(alice.Account, ancestors) : _files.ReadAuthorizedKeys(other, ancestors);
        var second = ownerFirst ? _files.ReadAuthorizedKeys(other, ancestors) : _files.ReadAuthorizedKeys(alice.Account, ancestors);
        var (ofAlice, ofOther) = ownerFirst ? (first, second) : (second, first);

        Assert.Equal(FileReadStatus.Ok, ofAlice.Status);
        Assert.Equal(Keys, ofAlice.Text);
        Assert.Equal(FileReadStatus.Refused, ofOther.Status);
        Assert.Equal(FileRefusal.PathWrongOwner, ofOther.Refusal!.Code);
    }

    [RootFact]
    public void Many_homes_read_through_kept_ancestors_read_as_each_alone_and_each_ancestor_is_opened_once()
    {
        using var alice = TestAccount.Create();
        alice.MakeSshDir();
        alice.MakeKeyFile(Keys);
        var ancestors = new HomeAncestors();

        var reads = new FileReadResult[64];
        Parallel.For(0, reads.Length, i => reads[i] = _files.ReadAuthorizedKeys(alice.Account, ancestors));

        Assert.All(reads, read => Assert.Equal(Keys, read.Text));
        // "/", then each directory down to the base dir; never the home itself.
        var expected = new List<string> { "/" };
        for (string? dir = alice.BaseDir; dir != "/"; dir = Path.GetDirectoryName(dir))
        {
            expected.Add(dir!);
        }
        Assert.Equal(expected.Order(StringComparer.Ordinal), ancestors.Paths.Order(StringComparer.Ordinal));
        ancestors.Dispose();
        Assert.Empty(ancestors.Paths);
    }

    [RootFact]
    public void A_home_is_never_kept_as_an_ancestor_so_each_walk_judges_it_afresh()
    {
        using var alice = TestAccount.Create();
        alice.MakeSshDir();
        alice.MakeKeyFile(Keys);
        using var ancestors = new HomeAncestors();
        Assert.Equal(FileReadStatus.Ok, _files.ReadAuthorizedKeys(alice.Account, ancestors).Status);

        TestAccount.Chmod(alice.Home, 0x1FF);

        var again = _files.ReadAuthorizedKeys(alice.Account, ancestors);
        Assert.Equal(FileReadStatus.Refused, again.Status);
        Assert.Equal(FileRefusal.HomeWritable, again.Refusal!.Code);
    }
}
