using KeyAgentd.Cli;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.RegistrySource;

namespace KeyAgentd.Tests.RegistrySource;

/// <summary>
/// A build of a <see cref="SourceFixture"/> and what it wrote, for these tests and for the host's
/// end-to-end tests that publish a build and sync hosts from it (tests/KeyAgentd.Tests links this file).
/// </summary>
internal static class BuiltOutput
{
    /// <summary>`keyagentd-registry build SOURCE --out OUTPUT` under the default policy, at <see cref="SourceFixture.Now"/>.</summary>
    public static int Build(SourceFixture source, string? signKey, string? baseline, out string stdout, out string stderr)
    {
        var settings = new BuildSettings(new KeyPolicy(null, TimeZoneInfo.Utc), SourceFixture.Now)
        {
            Baseline = baseline,
            StateDirectory = Path.Combine(source.Scratch, "state"),
        };
        var outWriter = new StringWriter();
        var errWriter = new StringWriter();
        int exit = Wait(() => RegistryBuildCommand.RunAsync(source.Root, source.Output, settings, signKey, outWriter, errWriter));
        (stdout, stderr) = (outWriter.ToString(), errWriter.ToString());
        return exit;
    }

    /// <summary>
    /// Runs an async command for a helper whose out parameters (stdout and stderr, read by name at every call
    /// site) rule out an async helper: on the thread pool, so this thread waits holding no synchronization context.
    /// </summary>
    public static int Wait(Func<Task<int>> command) => Task.Run(command).GetAwaiter().GetResult();

    /// <summary>A host's built document, as the daemon's parser reads it.</summary>
    public static RegistrySnapshot Parse(SourceFixture source, string host, string? directory = null)
    {
        Assert.True(RegistrySnapshotParser.TryParse(File.ReadAllBytes(source.DocumentPath(host, directory)), out var snapshot, out var error), error?.ToString());
        return snapshot;
    }

    /// <summary>File name → content, sorted by name (directory listing order differs between directories).</summary>
    public static SortedDictionary<string, string> Snapshot(string directory) =>
        new(Directory.GetFiles(directory).ToDictionary(p => Path.GetFileName(p), File.ReadAllText), StringComparer.Ordinal);
}
