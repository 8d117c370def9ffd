using KeyAgentd.Accounts;
using KeyAgentd.Homes;

namespace KeyAgentd.Stress;

/// <summary>
/// Group 1: every path component we own from the sandbox root down to authorized_keys is swapped for
/// something hostile, then the real HomeKeyFiles reads and writes. Nothing outside the user's
/// .ssh may change (type, mode, owner, content), and the victim files never change.
/// (/, /var and /var/tmp are shared by the machine and are not swapped.)
/// </summary>
public static partial class HostileFilesystem
{
    private const string Figures = "writes-outside-.ssh";

    public static GroupResult Run(Scale scale)
    {
        var result = new GroupResult("fs: swapped paths");
        result.Zero("crashes", "outside-.ssh-changed", "victims-modified");
        using var world = World.Create();
        var writer = new HomeKeyFiles();
        string[] components = ["root", "base", "home", ".ssh", "authorized_keys"];
        string[] attacks = ["symlink-to-victim-dir", "symlink-to-victim-file", "symlink-to-user-victim", "hardlink-to-victim", "hardlink-to-user-victim",
            "fifo", "socket", "device", "wrong-owner", "group-writable", "world-writable", "oversize", "missing"];
        int refused = 0, written = 0, notApplicable = 0;
        for (int round = 0; round < (scale == Scale.Full ? 5 : 1); round++)
        {
            foreach (string component in components)
            {
                foreach (string attack in attacks)
                {
                    world.Reset();
                    var undo = world.Apply(component, attack);
                    if (undo is null)
                    {
                        notApplicable++;
                        continue;
                    }
                    result.Cases++;
                    var outsideBefore = world.Outside();
                    var victimsBefore = world.Victims();
                    try
                    {
                        var read = writer.ReadAuthorizedKeys(world.Account);
                        var write = writer.WriteAuthorizedKeys(world.Account, $"# stress {round}\n{Keys.Ed25519(round, 1, "new")}\n");
                        _ = writer.ReadAuthorizedKeys(world.Account);
                        if (write.Status == FileWriteStatus.Refused)
                        {
                            refused++;
                        }
                        else
                        {
                            written++;
                        }
                        _ = read;
                    }
                    catch (Exception e)
                    {
                        result.Fail("crashes", $"{component}/{attack}: {e.GetType().Name}: {e.Message}");
                    }
                    // ~/.ssh itself may be (re)created by the writer: it is the user's .ssh, 0700, theirs.
                    var outsideAfter = world.Outside();
                    if (!outsideBefore.ContainsKey(world.Ssh) && outsideAfter.TryGetValue(world.Ssh, out var created)
                        && created.StartsWith("41c0 " + world.Account.Uid + ":", StringComparison.Ordinal))
                    {
                        outsideAfter.Remove(world.Ssh);
                    }
                    if (Fs.Diff(outsideBefore, outsideAfter) is { } outside)
                    {
                        result.Fail("outside-.ssh-changed", $"{component}/{attack}: {outside}");
                    }
                    if (Fs.Diff(victimsBefore, world.Victims()) is { } victim)
                    {
                        result.Fail("victims-modified", $"{component}/{attack}: {victim}");
                    }
                    undo();
                }
            }
        }
        result.Note($"{result.Cases} swaps ({components.Length} components × {attacks.Length} attacks, {notApplicable} not applicable): {refused} refused, {written} written/unchanged (only where the hostile thing was inside .ssh and got replaced)");
        _ = Figures;
        return result;
    }

    /// <summary>The sandbox: outer/r (root 0755) / home (root 0755) / NAME (real account) / .ssh / authorized_keys, and a victim tree.</summary>
    private sealed partial class World : IDisposable
    {
        private readonly RealAccount _user;

        private World(string outer, string victim, RealAccount user)
        {
            Outer = outer;
            VictimDir = victim;
            _user = user;
        }

        public string Outer { get; }

        public string VictimDir { get; }

        public AccountInfo Account => _user.Account;

        public string Root => Path.Combine(Outer, "r");

        public string Base => Path.Combine(Root, "home");

        public string Home => Account.Home;

        public string Ssh => Path.Combine(Home, ".ssh");

        public string Key => Path.Combine(Ssh, "authorized_keys");

        public string VictimFile => Path.Combine(VictimDir, "secret");

        public string UserVictim => Path.Combine(VictimDir, "user-file");

        public static World Create()
        {
            string outer = Sandbox.NewRoot("fs");
            Directory.CreateDirectory(Path.Combine(outer, "r", "home"));
            Fs.Chmod(Path.Combine(outer, "r"), 0x1ED);
            Fs.Chmod(Path.Combine(outer, "r", "home"), 0x1ED);
            string victim = Sandbox.NewRoot("victim");
            var user = RealAccount.Create(Path.Combine(outer, "r", "home"));
            File.WriteAllText(Path.Combine(victim, "secret"), "root:secret:do-not-touch\n");
            Fs.Chmod(Path.Combine(victim, "secret"), 0x180);
            File.WriteAllText(Path.Combine(victim, "user-file"), "the user's own file elsewhere\n");
            Fs.Chown(Path.Combine(victim, "user-file"), user.Account.Uid, user.Account.Gid);
            Fs.Chmod(Path.Combine(victim, "user-file"), 0x180);
            Directory.CreateDirectory(Path.Combine(victim, "dir"));
            Fs.Chmod(Path.Combine(victim, "dir"), 0x1C0);
            return new World(outer, victim, user);
        }

        /// <summary>Back to a healthy home with .ssh 0700 and an old authorized_keys 0600.</summary>
        public void Reset()
        {
            Fs.RemoveTree(Ssh);
            Directory.CreateDirectory(Ssh);
            Fs.Chown(Ssh, Account.Uid, Account.Gid);
            Fs.Chmod(Ssh, 0x1C0);
            File.WriteAllText(Key, Keys.Ed25519(0, 0, "old") + "\n");
            Fs.Chown(Key, Account.Uid, Account.Gid);
            Fs.Chmod(Key, 0x180);
        }

        /// <summary>Everything under the sandbox except what is inside .ssh (the daemon's to write).</summary>
        public SortedDictionary<string, string> Outside()
        {
            var tree = Fs.Tree(Outer);
            foreach (string k in tree.Keys.Where(k => k.Contains("/.ssh/", StringComparison.Ordinal)).ToList())
            {
                tree.Remove(k);
            }
            return tree;
        }

        public SortedDictionary<string, string> Victims()
        {
            var tree = Fs.Tree(VictimDir);
            // Not /etc/passwd or /etc/shadow: other useradd/userdel runs on a shared machine change them.
            return tree;
        }

        public void Dispose()
        {
            _user.Dispose();
            Fs.RemoveTree(Outer);
            Fs.RemoveTree(VictimDir);
        }
    }
}
