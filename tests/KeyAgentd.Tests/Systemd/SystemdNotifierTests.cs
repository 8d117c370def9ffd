using System.Net.Sockets;
using System.Text;
using KeyAgentd.Systemd;

namespace KeyAgentd.Tests.Systemd;

/// <summary>sd_notify against a real AF_UNIX datagram socket bound by the test.</summary>
public class SystemdNotifierTests
{
    private static string Receive(Socket socket)
    {
        var buffer = new byte[4096];
        socket.ReceiveTimeout = 5000;
        int n = socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    [Fact]
    public void Sends_datagrams_to_a_path_socket()
    {
        using var dir = new TempDirectory();
        string path = dir.File("notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        var notifier = new SystemdNotifier(path);

        notifier.Notify(ServiceState.Ready);
        notifier.Notify(ServiceState.Status("ok: serial 3\nsecond line"));
        notifier.Notify(ServiceState.Stopping);

        Assert.True(notifier.IsEnabled);
        Assert.Equal("READY=1", Receive(socket));
        Assert.Equal("STATUS=ok: serial 3 second line", Receive(socket));
        Assert.Equal("STOPPING=1", Receive(socket));
    }

    [Fact]
    public void Sends_datagrams_to_an_abstract_socket()
    {
        string name = "keyagentd-test-" + Guid.NewGuid().ToString("N");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint("\0" + name));

        new SystemdNotifier("@" + name).Notify(ServiceState.Watchdog);

        Assert.Equal("WATCHDOG=1", Receive(socket));
    }

    [Fact]
    public void Is_a_no_op_without_a_socket()
    {
        var notifier = new SystemdNotifier(null);
        Assert.False(notifier.IsEnabled);
        notifier.Notify(ServiceState.Ready);
        new SystemdNotifier("").Notify(ServiceState.Ready);
    }

    [Fact]
    public void A_vanished_socket_never_throws()
    {
        using var dir = new TempDirectory();
        new SystemdNotifier(dir.File("gone.sock")).Notify(ServiceState.Ready);
    }
}

public class WatchdogTimeoutTests
{
    [Theory]
    [InlineData("1000000", null, 1.0)]
    [InlineData("30000000", "4242", 30.0)]
    [InlineData("0", null, null)]
    [InlineData(null, null, null)]
    [InlineData("abc", null, null)]
    [InlineData("-5", null, null)]
    [InlineData("1000000", "1", null)]
    public void Watchdog_usec_for_this_process_only(string? usec, string? pid, double? seconds) =>
        Assert.Equal(seconds is { } s ? TimeSpan.FromSeconds(s) : null, SystemdNotifier.WatchdogTimeout(usec, pid, 4242));
}
