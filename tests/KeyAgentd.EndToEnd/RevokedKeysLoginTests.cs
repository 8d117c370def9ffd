namespace KeyAgentd.EndToEnd;

/// <summary>The registry's revoked list as the KRL sshd reads (RevokedKeys): it holds in files keyagentd does not manage.</summary>
public sealed class RevokedKeysLoginTests
{
    [EndToEndTheory]
    [InlineData("files")]
    public void Sshd_with_RevokedKeys_refuses_a_revoked_key_placed_in_authorized_keys2_by_hand(string delivery)
    {
        using var lab = new SshdLab(delivery);
        string granted = lab.NewKey("granted");
        string revoked = lab.NewKey("revoked");
        string handKept = lab.NewKey("handkept");
        lab.Grant(granted);
        lab.RevokeEverywhere(revoked);
        Assert.True(lab.PublishAndSync() == 0, "sync: " + lab.LastSyncOutput);
        Assert.True(File.Exists(lab.RevokedKeysPath), lab.LastSyncOutput);
        lab.WriteAuthorizedKeys2(revoked, handKept);
        lab.StartSshd(revokedKeys: true);

        Assert.True(lab.CanLogIn(granted), lab.SshdLog());
        Assert.True(lab.CanLogIn(handKept), lab.SshdLog());
        Assert.False(lab.CanLogIn(revoked));
        Assert.Contains("revoked by file " + lab.RevokedKeysPath, lab.SshdLog(), StringComparison.Ordinal);
    }
}
