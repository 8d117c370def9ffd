using System.Net;
using System.Net.Sockets;

namespace KeyAgentd.Testing;

/// <summary>
/// Loopback ports for the lab servers (sshd, nginx, slapd) and for "nothing listens here".
/// They come from below the kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768 up by
/// default), which no bind to port 0 and no outgoing connection ever takes: a port handed out here
/// and then released (the moment between asking and the server binding it, or a server stopped to
/// test an outage and started again) cannot be taken by another test's client or server meanwhile.
/// One counter per test process, from a start drawn per process, so no two callers get the same port.
/// </summary>
public static class LoopbackPorts
{
    private const int First = 20000, Count = 12000;
    private static int s_next = Random.Shared.Next(Count);

    /// <summary>A loopback port nothing listens on now and that no other caller of this process is given.</summary>
    public static int Reserve()
    {
        for (int attempt = 0; attempt < Count; attempt++)
        {
            int port = First + (int)((uint)Interlocked.Increment(ref s_next) % Count);
            if (IsFree(port))
            {
                return port;
            }
        }
        throw new InvalidOperationException($"no free loopback port in {First}–{First + Count - 1}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
