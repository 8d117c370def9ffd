using KeyAgentd.Homes;

namespace KeyAgentd.Stress;

public static partial class HostileFilesystem
{
    private sealed partial class World
    {
        /// <summary>Puts the attack in place and returns how to undo it, or null when it does not apply.</summary>
        public Action? Apply(string component, string attack)
        {
            string path = component switch
            {
                "root" => Root,
                "base" => Base,
                "home" => Home,
                ".ssh" => Ssh,
                _ => Key,
            };
            bool isFile = component == "authorized_keys";
            var before = Fs.Lstat(path)!.Value;
            switch (attack)
            {
                case "wrong-owner":
                    Fs.Chown(path, 12345, 12345);
                    return () => Fs.Chown(path, before.st_uid, before.st_gid);
                case "group-writable":
                case "world-writable":
                    Fs.Chmod(path, (int)((uint)before.st_mode & 0xFFF) | (attack == "group-writable" ? 0x10 : 0x2));
                    return () => Fs.Chmod(path, (int)((uint)before.st_mode & 0xFFF));
                case "oversize" when !isFile:
                    return null;
            }
            string parked = path + ".parked";
            Fs.Rename(path, parked);
            switch (attack)
            {
                case "symlink-to-victim-dir": Fs.Symlink(VictimDir, path); break;
                case "symlink-to-victim-file": Fs.Symlink(VictimFile, path); break;
                case "symlink-to-user-victim": Fs.Symlink(UserVictim, path); break;
                case "hardlink-to-victim": Fs.HardLink(VictimFile, path); break;
                case "hardlink-to-user-victim": Fs.HardLink(UserVictim, path); break;
                case "fifo": Fs.Fifo(path); break;
                case "socket": Fs.Socket(path); break;
                case "device": Fs.CharDevice(path); break;
                case "missing": break;
                case "oversize":
                    File.WriteAllBytes(path, System.Text.Encoding.ASCII.GetBytes(
                        string.Concat(Enumerable.Repeat(Keys.Ed25519(0, 0, "big") + "\n", HomeKeyFiles.MaxFileBytes / 80 + 2))));
                    Fs.Chown(path, Account.Uid, Account.Gid);
                    Fs.Chmod(path, 0x180);
                    break;
                default: throw new ArgumentException(attack);
            }
            return () =>
            {
                Fs.RemoveTree(path);
                Fs.Rename(parked, path);
            };
        }
    }
}
