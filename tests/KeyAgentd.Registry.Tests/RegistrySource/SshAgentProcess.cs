using System.Diagnostics;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>A private ssh-agent on a socket in a temp directory, for as long as the test needs it.</summary>
internal sealed class SshAgentProcess : IDisposable
{
    private readonly Process _process;

    public SshAgentProcess(string directory)
    {
        Socket = Path.Combine(directory, "agent.sock");
        var start = new ProcessStartInfo("ssh-agent") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in (string[])["-D", "-a", Socket])
        {
            start.ArgumentList.Add(argument);
        }
        _process = Process.Start(start)!;
        // The socket file appears at bind(), before listen(): wait until the agent accepts a connection.
        var clock = Stopwatch.StartNew();
        while (!Accepts(Socket) && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(20);
        }
    }

    private static bool Accepts(string socket)
    {
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        try
        {
            probe.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(socket));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    public string Socket { get; }

    public void Add(string privateKeyPath)
    {
        var result = ProcessRunner.Run("ssh-add", ["-q", privateKeyPath], environment: new Dictionary<string, string> { ["SSH_AUTH_SOCK"] = Socket });
        Assert.True(result.ExitCode == 0, result.Stderr);
    }

    public void Dispose()
    {
        _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
    }
}
