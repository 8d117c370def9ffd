using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace KeyAgentd.Tests.Support;

/// <summary>The lab servers' one start: the process the test owns, waited for until it accepts TCP on loopback.</summary>
internal static class LoopbackServerProcess
{
    /// <exception cref="InvalidOperationException">The server exited first (its standard error is in the message).</exception>
    /// <exception cref="TimeoutException">It did not listen within <paramref name="within"/>.</exception>
    public static Process Start(string name, ProcessStartInfo info, int port, TimeSpan within)
    {
        var process = Process.Start(info)!;
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
                    throw new InvalidOperationException($"{name} exited: " + process.StandardError.ReadToEnd());
                }
                Thread.Sleep(50);
            }
        }
        throw new TimeoutException($"{name} did not listen within {within.TotalSeconds:0} s");
    }
}
