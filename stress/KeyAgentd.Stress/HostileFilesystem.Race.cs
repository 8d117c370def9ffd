using System.Diagnostics;
using KeyAgentd.Homes;

namespace KeyAgentd.Stress;

public static partial class HostileFilesystem
{
    /// <summary>
    /// A second thread atomically flips the home, ~/.ssh and authorized_keys between the real thing and a
    /// symlink or hard link to a victim (renameat2 RENAME_EXCHANGE), thousands of times, while the real
    /// writer syncs in a loop. The victims and everything outside .ssh must come out unchanged.
    /// </summary>
    public static GroupResult Race(Scale scale)
    {
        var result = new GroupResult("fs: raced swaps");
        result.Zero("crashes", "outside-.ssh-changed", "victims-modified");
        using var world = World.Create();
        world.Reset();
        string homeEvil = world.Home + "-evil";
        string sshEvil = Path.Combine(world.Home, ".ssh-evil");
        Fs.Symlink(world.VictimDir, homeEvil);
        Fs.Symlink(world.VictimDir, sshEvil);
        var outsideBefore = world.Outside();
        var victimsBefore = world.Victims();

        long flips = 0;
        var parity = new int[2];
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(scale.RaceSeconds));
        var flipper = new Thread(() =>
        {
            var rng = new Random(7);
            string keyEvil = Path.Combine(world.Ssh, "ak-evil");
            string keyHard = Path.Combine(world.Ssh, "ak-hard");
            while (!stop.IsCancellationRequested)
            {
                switch (rng.Next(4))
                {
                    case 0:
                        if (Fs.Exchange(world.Home, homeEvil)) { parity[0] ^= 1; flips++; }
                        break;
                    case 1:
                        if (Fs.Exchange(world.Ssh, sshEvil)) { parity[1] ^= 1; flips++; }
                        break;
                    default:
                        if (parity[0] != 0 || parity[1] != 0)
                        {
                            break; // the harness itself must never create links through a swapped path
                        }
                        // Inside .ssh: keep a symlink and a hard link to victims ready, swap one in as authorized_keys.
                        try
                        {
                            if (Fs.Lstat(keyEvil) is null) { Fs.Symlink(rng.Next(2) == 0 ? world.VictimFile : world.UserVictim, keyEvil); }
                            if (Fs.Lstat(keyHard) is null) { Fs.HardLink(rng.Next(2) == 0 ? world.VictimFile : world.UserVictim, keyHard); }
                        }
                        catch (IOException)
                        {
                            // ~/.ssh is the symlink right now, or the name just appeared: fine, try again.
                        }
                        if (Fs.Exchange(world.Key, rng.Next(2) == 0 ? keyEvil : keyHard)) { flips++; }
                        break;
                }
            }
        });
        flipper.Start();
        var writer = new HomeKeyFiles();
        long written = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            result.Cases++;
            try
            {
                _ = writer.ReadAuthorizedKeys(world.Account);
                var r = writer.WriteAuthorizedKeys(world.Account, Keys.Ed25519((int)(result.Cases % 2), 9, "race") + "\n");
                if (r.Status == FileWriteStatus.Refused) { refused++; } else { written++; }
            }
            catch (Exception e)
            {
                result.Fail("crashes", $"{e.GetType().Name}: {e.Message}");
            }
        }
        flipper.Join();
        // Put the home and ~/.ssh back where they were, then compare everything outside .ssh.
        if (parity[0] == 1) { Fs.Exchange(world.Home, homeEvil); }
        if (parity[1] == 1) { Fs.Exchange(world.Ssh, sshEvil); }
        if (Fs.Diff(outsideBefore, world.Outside()) is { } outside)
        {
            result.Fail("outside-.ssh-changed", outside);
        }
        if (Fs.Diff(victimsBefore, world.Victims()) is { } victim)
        {
            result.Fail("victims-modified", victim);
        }
        result.Note($"{flips} successful flips against {result.Cases} read+write cycles in {clock.Elapsed.TotalSeconds:F0} s: {written} written/unchanged, {refused} refused");
        return result;
    }
}
