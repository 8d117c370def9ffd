using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KeyAgentd.EndToEnd;

/// <summary>
/// A person's own key options against the account's restriction, judged by a real sshd: sshd adds
/// up every permitopen of a line, so a key that brings its own could open what the account closed.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KeyOptionsForwardingTests
{
    [EndToEndTheory]
    [InlineData("files")]
    [InlineData("helper")]
    public void A_key_permitopen_outside_the_accounts_never_reaches_that_port(string delivery)
    {
        using var allowed = new GreetingListener("allowed-port");
        using var other = new GreetingListener("other-port");
        using var lab = new SshdLab(delivery) { AccountOptions = $"permitopen=\"127.0.0.1:{allowed.Port}\"" };
        string plain = lab.NewKey("plain");
        string widening = lab.NewKey("widening");
        lab.Grant(plain);
        lab.GrantWithOptions(widening, $"permitopen=\"127.0.0.1:{other.Port}\"");
        int exit = lab.PublishAndSync();
        Assert.True(exit is 0 or 1, "sync: " + lab.LastSyncOutput);
        lab.StartSshd();

        // The account's restriction holds for a key without options of its own: sshd is enforcing permitopen.
        Assert.True(lab.CanForwardTo(plain, allowed.Port, allowed.Greeting), lab.SshdLog());
        Assert.False(lab.CanForwardTo(plain, other.Port, other.Greeting));

        Assert.False(lab.CanForwardTo(widening, other.Port, other.Greeting), "the key's own permitopen widened the account's: " + lab.SshdLog());
        Assert.False(lab.CanLogIn(widening));
        Assert.Contains("\"option-widens-rule\"", lab.AuditLog(), StringComparison.Ordinal);
    }

    /// <summary>Accepts every connection on a free loopback port, writes its greeting and closes.</summary>
    private sealed class GreetingListener : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();

        public GreetingListener(string name)
        {
            Port = LoopbackPorts.Reserve();
            Greeting = $"{name}-{Port}";
            _listener = new TcpListener(IPAddress.Loopback, Port);
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public int Port { get; }

        public string Greeting { get; }

        private async Task ServeAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(Greeting + "\n"), _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
                {
                    if (_stop.IsCancellationRequested)
                    {
                        return;
                    }
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
