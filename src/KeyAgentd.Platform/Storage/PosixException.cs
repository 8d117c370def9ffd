using Mono.Unix.Native;

namespace KeyAgentd.Storage;

/// <summary>
/// A system call failed: which errno, during which operation, on which path. An
/// <see cref="IOException"/>, so code that handles I/O failures in general needs nothing new;
/// code that cares which failure it was reads <see cref="Errno"/>, never the message.
/// </summary>
public sealed class PosixException : IOException
{
    public PosixException(Errno errno, string operation, string path)
        : base($"{errno} ({Syscall.strerror(errno)}) during {operation} {path}")
    {
        Errno = errno;
        Operation = operation;
        Path = path;
    }

    public Errno Errno { get; }

    /// <summary>The call as it would be written in C, with the flags that matter: "openat(O_CREAT|O_EXCL)", "flock(LOCK_EX)".</summary>
    public string Operation { get; }

    /// <summary>For messages only: the descriptor, not this string, is what was operated on.</summary>
    public string Path { get; }
}
