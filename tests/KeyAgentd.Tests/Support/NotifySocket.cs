using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Mono.Unix.Native;

namespace KeyAgentd.Tests.Support;

/// <summary>
/// A NOTIFY_SOCKET as systemd would listen on it, recording each sd_notify datagram with the
/// kernel's arrival time (SO_TIMESTAMP), not the moment the test got round to reading it: on a
/// loaded machine the test may read late, and the gaps between a daemon's pings must be its own.
/// </summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly IntPtr _data = Marshal.AllocHGlobal(4096);

    public NotifySocket(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        if (Syscall.setsockopt(Fd, UnixSocketProtocol.SOL_SOCKET, UnixSocketOptionName.SO_TIMESTAMP, 1) != 0)
        {
            throw new IOException("setsockopt(SO_TIMESTAMP): " + Stdlib.GetLastError());
        }
    }

    public string Path { get; }

    public List<(DateTimeOffset At, string Text)> Messages { get; } = [];

    private int Fd => (int)_socket.SafeHandle.DangerousGetHandle();

    /// <summary>Records the next datagram if one arrives within <paramref name="wait"/>; false if none did.</summary>
    public bool Receive(TimeSpan wait)
    {
        var ready = new[] { new Pollfd { fd = Fd, events = PollEvents.POLLIN } };
        if (Syscall.poll(ready, (int)wait.TotalMilliseconds) <= 0)
        {
            return false;
        }
        // struct cmsghdr (64-bit: size_t len, int level, int type) then struct timeval (two longs).
        var control = new byte[64];
        var message = new Msghdr
        {
            msg_iov = [new Iovec { iov_base = _data, iov_len = 4096 }],
            msg_iovlen = 1,
            msg_control = control,
            msg_controllen = control.Length,
        };
        long n = Syscall.recvmsg(Fd, message, 0);
        if (n < 0)
        {
            throw new IOException("recvmsg: " + Stdlib.GetLastError());
        }
        const int SolSocket = 1, ScmTimestamp = 29;
        Assert.True(message.msg_controllen >= 32 && BitConverter.ToInt32(control, 8) == SolSocket && BitConverter.ToInt32(control, 12) == ScmTimestamp,
            "no SCM_TIMESTAMP with the datagram");
        var at = DateTimeOffset.FromUnixTimeSeconds(BitConverter.ToInt64(control, 16)).AddTicks(BitConverter.ToInt64(control, 24) * 10);
        var bytes = new byte[n];
        Marshal.Copy(_data, bytes, 0, (int)n);
        Messages.Add((at, Encoding.UTF8.GetString(bytes)));
        return true;
    }

    public void Dispose()
    {
        _socket.Dispose();
        Marshal.FreeHGlobal(_data);
    }
}
