using KeyAgentd.Cli;
using KeyAgentd.Daemon;
using Microsoft.Extensions.DependencyInjection;
using KeyAgentd.Tests.Sync;
using Microsoft.Extensions.Hosting.Systemd;

namespace KeyAgentd.Tests.Daemon;

/// <summary>A sync loop that dies of anything ends `run` with exit 1, so that systemd's Restart=on-failure restarts it.</summary>
public sealed class SyncWorkerDeathTests
{
    /// <summary>A notifier whose READY=1 throws: an exception that escapes the loop, outside any cycle.</summary>
    private sealed class FailingReady : ISystemdNotifier
    {
        public bool IsEnabled => true;

        public void Notify(ServiceState state)
        {
            if (state.ToString() == "READY=1")
            {
                throw new InvalidOperationException("the notify socket went away");
            }
        }
    }

    [Fact]
    public async Task A_loop_that_dies_makes_run_exit_1_instead_of_0()
    {
        using var box = new EngineSandbox(["alice"]);
        box.WriteRegistry(EngineSandbox.Registry(1, []));
        using var host = RunCommand.Build(box.Settings, new FailingReady());
        var worker = host.Services.GetRequiredService<SyncWorker>();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int exit = await RunCommand.RunAsync(host, timeout.Token);

        Assert.False(timeout.IsCancellationRequested, "the host did not stop when its loop died");
        Assert.Equal(ExitCodes.Failed, exit);
        Assert.IsType<InvalidOperationException>(worker.Failure);
    }
}
