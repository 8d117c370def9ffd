using System.Runtime.InteropServices;
using System.Text;
using KeyAgentd.KeysCommand;

namespace KeyAgentd.KeysCommand.Tests;

/// <summary>
/// The helper's ABI numbers for each architecture it is built for are the C headers' for that
/// architecture: each table becomes a C file of static assertions compiled (not run) by that
/// architecture's gcc, so the arm64 table is checked on an x86-64 machine too. Needs gcc and
/// gcc-aarch64-linux-gnu (scripts/setup.sh installs them), hence Integration.
/// </summary>
[Trait("Category", "Integration")]
public sealed class LinuxAbiTests
{
    public static TheoryData<string> Compilers => new() { "gcc", "aarch64-linux-gnu-gcc" };

    private static readonly (string Managed, string C)[] StatFields =
    [
        ("Device", "st_dev"), ("Inode", "st_ino"), ("LinkCount", "st_nlink"), ("Mode", "st_mode"), ("Uid", "st_uid"),
        ("Gid", "st_gid"), ("RawDevice", "st_rdev"), ("Size", "st_size"), ("BlockSize", "st_blksize"), ("Blocks", "st_blocks"),
        ("AccessTime", "st_atim"), ("ModificationTime", "st_mtim"), ("ChangeTime", "st_ctim"),
    ];

    [Theory]
    [MemberData(nameof(Compilers))]
    public void The_open_flags_and_the_stat_layout_are_the_C_headers_of_that_architecture(string compiler)
    {
        var (abi, layout) = compiler == "gcc" ? (LinuxAbi.X64, typeof(KernelStat.X64)) : (LinuxAbi.Arm64, typeof(KernelStat.Arm64));
        var c = new StringBuilder("#define _GNU_SOURCE\n#include <errno.h>\n#include <fcntl.h>\n#include <stddef.h>\n#include <sys/stat.h>\n");
        void Equal(string expression, long value) => c.Append($"_Static_assert({expression} == {value}, \"{expression} is not {value}\");\n");
        Equal("O_RDONLY", LinuxAbi.ORdOnly);
        Equal("O_NONBLOCK", LinuxAbi.ONonBlock);
        Equal("O_PATH", LinuxAbi.OPath);
        Equal("O_CLOEXEC", LinuxAbi.OCloExec);
        Equal("O_DIRECTORY", abi.ODirectory);
        Equal("O_NOFOLLOW", abi.ONoFollow);
        // The errno values CacheFileReader tells apart.
        Equal("ENOENT", 2);
        Equal("ENOTDIR", 20);
        Equal("ELOOP", 40);
        foreach (var (managed, name) in StatFields)
        {
            Equal($"offsetof(struct stat, {name})", Marshal.OffsetOf(layout, managed).ToInt64());
            Equal($"sizeof(((struct stat *)0)->{name})", FieldSize(layout, managed));
        }
        // fstat writes the whole struct: a managed one smaller than C's would be overrun.
        Equal("sizeof(struct stat)", Marshal.SizeOf(layout));

        var result = ProcessRunner.Run(compiler, ["-fsyntax-only", "-x", "c", "-"], stdin: c.ToString());

        Assert.True(result.ExitCode == 0, $"{compiler}: {result.Stderr}");
    }

    [Fact]
    public void This_process_uses_the_table_of_its_own_architecture()
    {
        Assert.Equal(RuntimeInformation.ProcessArchitecture, LinuxAbi.Current.Architecture);
        Assert.Null(LinuxAbi.For(Architecture.X86));
    }

    private static long FieldSize(Type layout, string field)
    {
        var type = layout.GetField(field)!.FieldType;
        return Marshal.SizeOf(type);
    }
}
