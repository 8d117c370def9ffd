using KeyAgentd.Cli;
using KeyAgentd.State;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Cli;

/// <summary>A command run as a user without the rights it needs: one line naming the file, exit 2 (usage), no stack trace.</summary>
[Trait("Category", "Integration")]
public sealed class PermissionDeniedTests
{
    private const uint Nobody = 65534;

    [RootFact]
    public void A_dry_run_as_another_user_than_root_says_it_needs_root_in_one_line_and_exits_2()
    {
        using var sandbox = new CliProcessSandbox();
        // As the package leaves it after a sync: root's state, not for other users to read.
        sandbox.State.SaveStatus(new SyncStatus { Outcome = "ok", LastAttempt = DateTimeOffset.UtcNow });
        TestAccount.Chmod(sandbox.StateDirectory, 0x1C0);

        var run = KeyAgentdProcess.RunAs(Nobody, "--config", sandbox.ConfigPath, "sync", "--dry-run");

        Assert.True(run.ExitCode == ExitCodes.Usage, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Equal($"keyagentd: needs root: cannot open {sandbox.StateDirectory} (permission denied)\n", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [RootFact]
    public void A_status_file_the_user_may_not_read_is_one_line_too_never_an_unhandled_exception()
    {
        using var sandbox = new CliProcessSandbox();
        sandbox.State.SaveStatus(new SyncStatus { Outcome = "ok", LastAttempt = DateTimeOffset.UtcNow });
        string trust = Path.Combine(sandbox.StateDirectory, TrustStateStore.FileName);
        File.WriteAllText(trust, "{}");
        TestAccount.Chmod(trust, 0x180);

        var run = KeyAgentdProcess.RunAs(Nobody, "--config", sandbox.ConfigPath, "sync", "--dry-run");

        Assert.True(run.ExitCode == ExitCodes.Usage, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Equal($"keyagentd: needs root: cannot open {trust} (permission denied)\n", run.Stderr);
        Assert.DoesNotContain("Unhandled", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }
}
