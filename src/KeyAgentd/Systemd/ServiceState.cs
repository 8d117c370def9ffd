namespace KeyAgentd.Systemd;

/// <summary>One sd_notify message ("READY=1", "STATUS=…"); see sd_notify(3).</summary>
public readonly record struct ServiceState(string Message)
{
    public static readonly ServiceState Ready = new("READY=1");
    public static readonly ServiceState Stopping = new("STOPPING=1");
    public static readonly ServiceState Watchdog = new("WATCHDOG=1");

    /// <summary>Free text shown by `systemctl status`; newlines would start a new assignment, so they are folded.</summary>
    public static ServiceState Status(string text) => new("STATUS=" + text.ReplaceLineEndings(" "));

    public override string ToString() => Message;
}
