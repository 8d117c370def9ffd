using System.Net.Sockets;
using System.Text;
using KeyAgentd.Systemd;
using Microsoft.Extensions.Hosting.Systemd;

namespace KeyAgentd.Tests.Systemd;

/// <summary>
/// Runs alone: the library's notifier reads NOTIFY_SOCKET from the process environment when it is
/// built, and a host built by another test at that moment would read it too.
/// </summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

/// <summary>sd_notify through Microsoft.Extensions.Hosting.Systemd against a real AF_UNIX datagram socket bound by the test.</summary>
[Collection(nameof(ProcessEnvironment))]
public class SystemdNotifierTests
{
    private static string Receive(Socket socket)
    {
        var buffer = new byte[4096];
        socket.ReceiveTimeout = 5000;
        int n = socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }

    private static ServiceNotifier WithNotifySocket(string? value)
    {
        string? saved = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        Environment.SetEnvironmentVariable("NOTIFY_SOCKET", value);
        try
        {
            return new ServiceNotifier();
        }
        finally
        {
            Environment.SetEnvironmentVariable("NOTIFY_SOCKET", saved);
        }
    }

    [Fact]
    public void Sends_datagrams_to_a_path_socket()
    {
        using var dir = new TempDirectory();
        string path = dir.File("notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        var notifier = WithNotifySocket(path);

        notifier.Notify(ServiceState.Ready);
        notifier.Notify(ServiceStates.Status("ok: serial 3\nsecond line"));
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

        WithNotifySocket("@" + name).Notify(ServiceStates.Watchdog);

        Assert.Equal("WATCHDOG=1", Receive(socket));
    }

    [Fact]
    public void Is_a_no_op_without_a_socket()
    {
        var notifier = new ServiceNotifier(null);
        Assert.False(notifier.IsEnabled);
        notifier.Notify(ServiceState.Ready);
        Assert.False(WithNotifySocket(null).IsEnabled);
        WithNotifySocket("").Notify(ServiceState.Ready);
    }

    [Fact]
    public void A_vanished_socket_never_throws()
    {
        using var dir = new TempDirectory();
        var notifier = WithNotifySocket(dir.File("gone.sock"));
        Assert.True(notifier.IsEnabled);
        notifier.Notify(ServiceState.Ready);
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
        Assert.Equal(seconds is { } s ? TimeSpan.FromSeconds(s) : null, ServiceNotifier.WatchdogTimeout(usec, pid, 4242));
}
