using System.Net.Sockets;
using System.Text;

namespace KeyAgentd.Systemd;

/// <summary>
/// Sends one AF_UNIX datagram per state to $NOTIFY_SOCKET; a leading '@' names an abstract socket.
/// A no-op when the variable is unset, so the same binary runs under systemd, in a shell, in tests.
/// </summary>
public sealed class SystemdNotifier : ISystemdNotifier
{
    private readonly string? _socketPath;

    public SystemdNotifier()
        : this(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"))
    {
    }

    /// <summary>For testing: an explicit socket path.</summary>
    internal SystemdNotifier(string? socketPath)
    {
        _socketPath = string.IsNullOrEmpty(socketPath) ? null : socketPath;
    }

    public bool IsEnabled => _socketPath is not null;

    public void Notify(ServiceState state)
    {
        if (_socketPath is null)
        {
            return;
        }
        // Abstract sockets are spelled with '@' in the variable and a NUL byte on the wire.
        string path = _socketPath[0] == '@' ? "\0" + _socketPath[1..] : _socketPath;
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.Send(Encoding.UTF8.GetBytes(state.Message));
        }
        catch (SocketException)
        {
            // systemd going away must never take the daemon down with it.
        }
    }

    /// <summary>$WATCHDOG_USEC (WatchdogSec=) when it is set for this process, as sd_watchdog_enabled(3) reads it.</summary>
    public static TimeSpan? WatchdogTimeout() =>
        WatchdogTimeout(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId);

    /// <summary>For testing: the variables and this process's id given explicitly.</summary>
    internal static TimeSpan? WatchdogTimeout(string? usec, string? pid, int processId)
    {
        if (pid is not null && pid != processId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return null;
        }
        return ulong.TryParse(usec, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong micro) && micro > 0
            ? TimeSpan.FromMicroseconds(micro)
            : null;
    }
}
