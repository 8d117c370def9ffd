namespace KeyAgentd.EndToEnd;

/// <summary>The registry's revoked list as the KRL sshd reads (RevokedKeys): it holds in files keyagentd does not manage.</summary>
[Trait("Category", "Integration")]
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
        lab.PublishAndSyncOk();
        Assert.True(File.Exists(lab.RevokedKeysPath), lab.LastSyncOutput);
        lab.WriteAuthorizedKeys2(revoked, handKept);
        lab.StartSshd(revokedKeys: true);

        Assert.True(lab.CanLogIn(granted), lab.SshdLog());
        Assert.True(lab.CanLogIn(handKept), lab.SshdLog());
        Assert.False(lab.CanLogIn(revoked));
        Assert.Contains("revoked by file " + lab.RevokedKeysPath, lab.SshdLog(), StringComparison.Ordinal);
    }

    [EndToEndTheory]
    [InlineData("helper")]
    public void The_shipped_drop_in_with_the_registry_down_since_install_still_lets_a_hand_placed_key_log_in(string delivery)
    {
        // First start with the registry unreachable: no snapshot has ever been applied. sshd with the
        // drop-in enabled refuses EVERY public key while its RevokedKeys file is missing.
        using var lab = new SshdLab(delivery);
        string handPlaced = lab.NewKey("root-placed");
        lab.WriteAuthorizedKeysByHand(handPlaced);
        Assert.False(File.Exists(lab.RegistryPath));

        Assert.True(lab.Sync() == 3, "sync with the registry down: " + lab.LastSyncOutput);
        lab.StartSshdWithShippedDropIn();

        Assert.True(File.Exists(lab.RevokedKeysPath), "no KRL after a cycle with the registry down: " + lab.LastSyncOutput);
        Assert.True(lab.CanLogIn(handPlaced), lab.SshdLog());
    }
}
