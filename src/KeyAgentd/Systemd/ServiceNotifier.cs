using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting.Systemd;

namespace KeyAgentd.Systemd;

/// <summary>
/// Microsoft.Extensions.Hosting.Systemd's notifier (it reads $NOTIFY_SOCKET, maps a leading '@' to
/// an abstract socket, sends one datagram per state and is a no-op outside systemd), guarded: the
/// library lets a <see cref="SocketException"/> escape, and systemd going away must never take the
/// daemon down with it. Also reads $WATCHDOG_USEC, which the library does not. Named apart from the
/// library's SystemdNotifier, which it wraps, so neither name hides the other.
/// </summary>
public sealed class ServiceNotifier : ISystemdNotifier
{
    private readonly ISystemdNotifier? _sender;

    public ServiceNotifier()
        : this(new Microsoft.Extensions.Hosting.Systemd.SystemdNotifier())
    {
    }

    /// <summary>For testing: another sender, or null for "not started by systemd".</summary>
    internal ServiceNotifier(ISystemdNotifier? sender)
    {
        _sender = sender is { IsEnabled: true } ? sender : null;
    }

    public bool IsEnabled => _sender is not null;

    public void Notify(ServiceState state)
    {
        try
        {
            _sender?.Notify(state);
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>$WATCHDOG_USEC (WatchdogSec=) when it is set for this process, as sd_watchdog_enabled(3) reads it.</summary>
    public static TimeSpan? WatchdogTimeout() =>
        WatchdogTimeout(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId);

    /// <summary>For testing: the variables and this process's id given explicitly.</summary>
    internal static TimeSpan? WatchdogTimeout(string? usec, string? pid, int processId)
    {
        if (pid is not null && pid != processId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }
        return ulong.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out ulong micro) && micro > 0
            ? TimeSpan.FromMicroseconds(micro)
            : null;
    }
}
