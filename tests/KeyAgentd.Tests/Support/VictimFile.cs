using Mono.Unix.Native;

namespace KeyAgentd.Tests.Support;

/// <summary>
/// A root-owned 0600 file an attack tries to make the writer read or overwrite (a stand-in for
/// /etc/shadow). <see cref="AssertUntouched"/> compares bytes, mode, owner, inode and mtime.
/// </summary>
public sealed class VictimFile
{
    public static readonly byte[] Content = "root:secret-hash:19000:0:99999:7:::\n"u8.ToArray();

    private readonly Stat _before;

    public VictimFile(string directory)
    {
        Path = System.IO.Path.Combine(directory, "victim");
        File.WriteAllBytes(Path, Content);
        PathSyscalls.Chown(Path, 0, 0);
        PathSyscalls.Chmod(Path, 0x180);
        _before = PathSyscalls.Lstat(Path);
    }

    public string Path { get; }

    public void AssertUntouched()
    {
        Assert.Equal(Content, File.ReadAllBytes(Path));
        Stat now = PathSyscalls.Lstat(Path);
        Assert.Equal(0x180u, (uint)now.st_mode & 0xFFF);
        Assert.Equal(0u, now.st_uid);
        Assert.Equal(0u, now.st_gid);
        Assert.Equal(_before.st_ino, now.st_ino);
        Assert.Equal(_before.st_mtime, now.st_mtime);
        Assert.Equal(_before.st_mtime_nsec, now.st_mtime_nsec);
    }
}
