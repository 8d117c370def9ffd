using Microsoft.Extensions.Hosting.Systemd;

namespace KeyAgentd.Systemd;

/// <summary>The sd_notify(3) states the library's <see cref="ServiceState"/> has no name for.</summary>
public static class ServiceStates
{
    public static readonly ServiceState Watchdog = new("WATCHDOG=1");

    /// <summary>Free text shown by `systemctl status`; newlines would start a new assignment, so they are folded.</summary>
    public static ServiceState Status(string text) => new("STATUS=" + text.ReplaceLineEndings(" "));
}
