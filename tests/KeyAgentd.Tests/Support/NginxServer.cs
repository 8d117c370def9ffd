using System.Diagnostics;

namespace KeyAgentd.Tests.Support;

/// <summary>Runs when nginx is installed; otherwise skips and says why.</summary>
public sealed class NginxFactAttribute : FactAttribute
{
    public NginxFactAttribute()
    {
        if (NginxServer.Executable() is null)
        {
            Skip = "nginx is not installed (apt-get install -y nginx); real-HTTP registry tests skipped";
        }
    }
}

/// <summary>A private nginx on 127.0.0.1 and a free port, serving Root as static files with ETags.</summary>
public sealed class NginxServer : IDisposable
{
    private Process? _process;

    /// <param name="serverConfig">extra directives for the server block (locations that fail or stall on purpose)</param>
    public NginxServer(string directory, string serverConfig = "")
    {
        Prefix = directory;
        Root = Path.Combine(directory, "www");
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Path.Combine(directory, "logs"));
        Directory.CreateDirectory(Path.Combine(directory, "tmp"));
        // Workers run as an unprivileged user when the test runs as root: they must reach the files.
        foreach (string d in new[] { directory, Root })
        {
            Mono.Unix.Native.Syscall.chmod(d, (Mono.Unix.Native.FilePermissions)0b111_101_101);
        }
        Port = LoopbackPorts.Reserve();
        string conf = $$"""
            worker_processes 1;
            error_log {{directory}}/logs/error.log;
            pid {{directory}}/nginx.pid;
            events { worker_connections 64; }
            http {
              access_log {{directory}}/logs/access.log;
              client_body_temp_path {{directory}}/tmp; proxy_temp_path {{directory}}/tmp; fastcgi_temp_path {{directory}}/tmp;
              uwsgi_temp_path {{directory}}/tmp; scgi_temp_path {{directory}}/tmp;
              types { application/json json; }
              server { listen 127.0.0.1:{{Port}}; root {{Root}}; etag on; {{serverConfig}} }
            }
            """;
        File.WriteAllText(ConfigPath, conf);
        Start();
    }

    public string Prefix { get; }

    public string Root { get; }

    public int Port { get; }

    public string ConfigPath => Path.Combine(Prefix, "nginx.conf");

    public string AccessLog => Path.Combine(Prefix, "logs", "access.log");

    /// <summary>
    /// The access log once it holds <paramref name="count"/> lines that <paramref name="match"/> (30 s at most).
    /// nginx logs a request only after sending its answer, so a client holding the answer can read
    /// the log before that request's line is in it.
    /// </summary>
    public string[] AccessLogWith(int count, Func<string, bool>? match = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            string[] lines = File.Exists(AccessLog) ? File.ReadAllLines(AccessLog) : [];
            if (lines.Count(match ?? (_ => true)) >= count || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                return lines;
            }
            Thread.Sleep(20);
        }
    }

    public Uri Url(string file) => new($"http://127.0.0.1:{Port}/{file}");

    public static string? Executable() =>
        new[] { "/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx" }.FirstOrDefault(File.Exists);

    public void Start()
    {
        var info = new ProcessStartInfo(Executable()!) { UseShellExecute = false, RedirectStandardError = true };
        foreach (string a in new[] { "-c", ConfigPath, "-p", Prefix, "-g", "daemon off;" })
        {
            info.ArgumentList.Add(a);
        }
        _process = LoopbackServerProcess.Start("nginx", info, Port, TimeSpan.FromSeconds(10));
    }

    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            Mono.Unix.Native.Syscall.kill(_process.Id, Mono.Unix.Native.Signum.SIGTERM);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Stop();
}
