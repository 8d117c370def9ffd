namespace KeyAgentd.EndToEnd;

/// <summary>
/// Real logins through a real sshd, for both delivery modes: "files" (keyagentd writes
/// ~/.ssh/authorized_keys) and "helper" (AuthorizedKeysFile none + keyagentd-keys).
/// </summary>
[Trait("Category", "Integration")]
public sealed class LoginTests
{
    [EndToEndTheory]
    [InlineData("files")]
    [InlineData("helper")]
    public void Granted_ed25519_key_logs_in_and_an_ungranted_one_does_not(string delivery)
    {
        using var lab = new SshdLab(delivery);
        string granted = lab.NewKey("alice");
        string stranger = lab.NewKey("mallory");
        lab.Grant(granted);
        lab.PublishAndSyncOk();
        lab.StartSshd();

        Assert.True(lab.CanLogIn(granted), lab.SshdLog());
        Assert.False(lab.CanLogIn(stranger));
    }

    [EndToEndTheory]
    [InlineData("files")]
    [InlineData("helper")]
    public void Key_removed_upstream_no_longer_logs_in_after_sync(string delivery)
    {
        using var lab = new SshdLab(delivery);
        string leaving = lab.NewKey("leaver");
        string staying = lab.NewKey("stayer");
        lab.Grant(leaving);
        lab.Grant(staying);
        lab.PublishAndSyncOk();
        lab.StartSshd();
        Assert.True(lab.CanLogIn(leaving), lab.SshdLog());

        lab.Revoke(leaving);
        lab.PublishAndSyncOk();

        Assert.False(lab.CanLogIn(leaving));
        Assert.True(lab.CanLogIn(staying));
    }

    [EndToEndTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Helper_serves_the_synced_cache_with_or_without_the_fingerprint_and_a_removal_takes(bool fingerprint)
    {
        // Without %f keyagentd-keys writes the indexed cache whole; with it, it picks the one key.
        using var lab = new SshdLab("helper") { HelperGetsFingerprint = fingerprint };
        string leaving = lab.NewKey("leaver");
        string staying = lab.NewKey("stayer");
        lab.Grant(leaving);
        lab.Grant(staying, DateTimeOffset.UtcNow.AddDays(30));
        lab.PublishAndSyncOk();
        Assert.StartsWith("#keyagentd-cache v1 ", File.ReadAllText(Path.Combine(lab.StateDir, "keys", lab.User)), StringComparison.Ordinal);
        lab.StartSshd();
        Assert.True(lab.CanLogIn(leaving), lab.SshdLog());
        Assert.True(lab.CanLogIn(staying), lab.SshdLog());

        lab.Revoke(leaving);
        lab.PublishAndSyncOk();

        Assert.False(lab.CanLogIn(leaving));
        Assert.True(lab.CanLogIn(staying), lab.SshdLog());
    }

    [EndToEndTheory]
    [InlineData("files")]
    [InlineData("helper")]
    public void Dsa_and_1024_bit_rsa_keys_in_the_registry_never_log_in(string delivery)
    {
        using var lab = new SshdLab(delivery);
        string good = lab.NewKey("good");
        string dsa = lab.NewKey("olddsa", "dsa");
        string rsa1024 = lab.NewKey("weakrsa", "rsa", 1024);
        lab.Grant(good);
        lab.Grant(dsa);
        lab.Grant(rsa1024);
        int exit = lab.PublishAndSync();
        Assert.True(exit is 0 or 1, "sync: " + lab.LastSyncOutput);
        lab.StartSshd();

        // Client and server both accept ssh-dss here, so only keyagentd can have kept them out.
        Assert.False(lab.CanLogIn(dsa));
        Assert.False(lab.CanLogIn(rsa1024));
        Assert.True(lab.CanLogIn(good), lab.SshdLog());
        if (delivery == "files")
        {
            // Control: the same keys written by hand do log in, so the refusal above was keyagentd's.
            File.AppendAllText(lab.AuthorizedKeys, SshdLab.PublicLine(dsa) + "\n" + SshdLab.PublicLine(rsa1024) + "\n");
            Assert.True(lab.CanLogIn(dsa), lab.SshdLog());
            Assert.True(lab.CanLogIn(rsa1024), lab.SshdLog());
        }
    }

    [EndToEndTheory]
    [InlineData("exclusive", false)]
    [InlineData("managed-block", true)]
    public void Hand_added_key_goes_in_exclusive_mode_and_stays_in_managed_block_mode(string mode, bool keeps)
    {
        using var lab = new SshdLab("files", mode);
        string granted = lab.NewKey("granted");
        string byHand = lab.NewKey("byhand");
        lab.Grant(granted);
        lab.PublishAndSyncOk();
        File.AppendAllText(lab.AuthorizedKeys, SshdLab.PublicLine(byHand) + "\n");
        lab.StartSshd();
        Assert.True(lab.CanLogIn(byHand), lab.SshdLog());

        lab.Grant(lab.NewKey("another"));
        lab.PublishAndSyncOk();

        Assert.Equal(keeps, lab.CanLogIn(byHand));
        Assert.True(lab.CanLogIn(granted));
    }

    [EndToEndTheory]
    [InlineData("files")]
    [InlineData("helper")]
    public void Key_past_its_not_after_is_refused_without_another_sync(string delivery)
    {
        using var lab = new SshdLab(delivery);
        string permanent = lab.NewKey("permanent");
        string temporary = lab.NewKey("temporary");
        lab.Grant(permanent);
        lab.PublishAndSyncOk();
        lab.StartSshd();
        Assert.True(lab.CanLogIn(permanent), lab.SshdLog());

        // Granted only once sshd is up, so the 12 s of validity are not spent starting it.
        var notAfter = DateTimeOffset.UtcNow.AddSeconds(12);
        lab.Grant(temporary, notAfter);
        lab.PublishAndSyncOk();
        Assert.True(lab.CanLogIn(temporary), lab.SshdLog());

        var wait = notAfter - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.5);
        if (wait > TimeSpan.Zero)
        {
            Thread.Sleep(wait);
        }

        Assert.False(lab.CanLogIn(temporary));
        Assert.True(lab.CanLogIn(permanent));
    }

    [EndToEndTheory]
    [InlineData("files")]
    [InlineData("helper")]
    public void Login_still_works_while_the_registry_is_down(string delivery)
    {
        using var lab = new SshdLab(delivery);
        string key = lab.NewKey("alice");
        lab.Grant(key);
        lab.PublishAndSyncOk();
        lab.StartSshd();

        File.Move(lab.RegistryPath, lab.RegistryPath + ".gone");
        Assert.Equal(3, lab.Sync());

        Assert.True(lab.CanLogIn(key), lab.SshdLog());
    }

    [EndToEndTheory]
    [InlineData("helper")]
    [InlineData("files")]
    public void A_break_glass_from_restriction_holds_for_a_key_the_registry_also_grants(string delivery)
    {
        using var lab = new SshdLab(delivery);
        string admin = lab.NewKey("admin");
        lab.Grant(admin);
        lab.SetBreakGlass("from=\"192.0.2.1\" " + SshdLab.PublicLine(admin));
        lab.PublishAndSyncOk();
        lab.StartSshd();

        // We connect from 127.0.0.1: only an unrestricted copy of the key could let us in.
        Assert.False(lab.CanLogIn(admin));

        // Control: without the break-glass line the registry's grant alone logs in.
        lab.SetBreakGlass();
        lab.PublishAndSyncOk();
        Assert.True(lab.CanLogIn(admin), lab.SshdLog());
    }

    [EndToEndTheory]
    [InlineData("files")]
    [InlineData("helper")]
    public void Report_mode_leaves_the_file_and_the_cache_byte_identical(string delivery)
    {
        using var lab = new SshdLab(delivery);
        string key = lab.NewKey("alice");
        lab.Grant(key);
        lab.PublishAndSyncOk();
        string cache = Path.Combine(lab.StateDir, "keys", lab.User);
        byte[]? fileBefore = File.Exists(lab.AuthorizedKeys) ? File.ReadAllBytes(lab.AuthorizedKeys) : null;
        byte[] cacheBefore = File.ReadAllBytes(cache);

        lab.SetMode("report");
        lab.Revoke(key);
        lab.Grant(lab.NewKey("bob"));
        lab.PublishAndSyncOk();

        Assert.Equal(fileBefore, File.Exists(lab.AuthorizedKeys) ? File.ReadAllBytes(lab.AuthorizedKeys) : null);
        Assert.Equal(cacheBefore, File.ReadAllBytes(cache));
        lab.StartSshd();
        Assert.True(lab.CanLogIn(key), lab.SshdLog());
    }

    [EndToEndTheory]
    [InlineData(0)]
    [InlineData(1)]
    public void Another_AuthorizedKeysCommand_chained_with_then_serves_its_key_beside_ours_only_when_it_succeeds(int otherExit)
    {
        using var lab = new SshdLab("helper");
        string ours = lab.NewKey("ours");
        string theirs = lab.NewKey("theirs");
        string stranger = lab.NewKey("stranger");
        lab.Grant(ours);
        lab.PublishAndSyncOk();
        lab.ChainOtherCommand(otherExit, SshdLab.PublicLine(theirs));
        lab.StartSshd();

        // Ours logs in whatever the other command does (its exit status never becomes ours); its
        // key only when it exits 0, as when sshd ran it alone.
        Assert.True(lab.CanLogIn(ours), lab.SshdLog());
        Assert.Equal(otherExit == 0, lab.CanLogIn(theirs));
        Assert.False(lab.CanLogIn(stranger));
    }
}
