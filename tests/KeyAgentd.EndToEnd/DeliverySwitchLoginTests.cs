namespace KeyAgentd.EndToEnd;

/// <summary>
/// A host moved from file delivery to helper-only delivery, with sshd still reading authorized_keys as well
/// as keyagentd-keys (the drop-in enabled, AuthorizedKeysFile left as it was): nothing keyagentd wrote into
/// the file may go on letting in a person the registry has since removed.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeliverySwitchLoginTests
{
    [EndToEndTheory]
    [InlineData("exclusive")]
    [InlineData("managed-block")]
    public void After_switching_to_helper_delivery_a_person_removed_upstream_cannot_log_in_through_the_old_file(string mode)
    {
        using var lab = new SshdLab("files", mode);
        string stays = lab.NewKey("stays");
        string leaves = lab.NewKey("leaves");
        lab.Grant(stays);
        lab.Grant(leaves);
        lab.PublishAndSyncOk();

        lab.SwitchToHelperDelivery();
        lab.Revoke(leaves);
        lab.PublishAndSyncOk();
        lab.StartSshd();

        Assert.True(lab.CanLogIn(stays), lab.SshdLog());
        Assert.False(lab.CanLogIn(leaves), lab.SshdLog());
        Assert.Equal("", File.ReadAllText(lab.AuthorizedKeys));
    }
}
