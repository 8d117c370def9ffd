namespace KeyAgentd.Systemd;

/// <summary>The sd_notify seam (the shape of Microsoft.Extensions.Hosting.Systemd, written here by hand).</summary>
public interface ISystemdNotifier
{
    /// <summary>True when started by systemd with Type=notify (NOTIFY_SOCKET is set).</summary>
    bool IsEnabled { get; }

    void Notify(ServiceState state);
}
