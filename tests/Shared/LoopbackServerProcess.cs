using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KeyAgentd.Testing;

/// <summary>The lab servers' one start (sshd, nginx, slapd): the process the test owns, waited for until it accepts TCP on loopback.</summary>
public static class LoopbackServerProcess
{
    /// <param name="log">What the server said, for a failure message; without it, its standard error once it has exited (<paramref name="info"/> must then redirect it).</param>
    /// <exception cref="InvalidOperationException">The server exited first (what it said is in the message).</exception>
    /// <exception cref="TimeoutException">It did not listen within <paramref name="within"/>, which only bounds a failure.</exception>
    public static Process Start(string name, ProcessStartInfo info, int port, TimeSpan within, Func<string>? log = null)
    {
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start");
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return process;
            }
            catch (SocketException)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{name} exited: " + (log is null ? process.StandardError.ReadToEnd() : log()));
                }
                Thread.Sleep(50);
            }
        }
        throw new TimeoutException($"{name} did not listen within {within.TotalSeconds:0} s" + (log is null ? "" : ": " + log()));
    }
}
