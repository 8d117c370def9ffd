using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using KeyAgentd.Configuration;
using KeyAgentd.Core;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.RegistrySource;
using KeyAgentd.RegistrySource.KeysUrl;
using KeyAgentd.RegistrySource.Ldap;
using KeyAgentd.RegistrySource.Signing;
using KeyAgentd.Storage;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd-registry build SOURCE --out DIR`: one deterministic document per inventory host,
/// serials moving only where content changed; exit 0 built, 1 source invalid, 4 removal guard.
/// </summary>
internal static class RegistryBuildCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("SOURCE") { Description = "the registry source directory" };
        var output = new Option<string>("--out") { Description = "output directory (DIR/<hostname>.json)", Required = true };
        var validity = new Option<TimeSpan>("--validity") { Description = "how long a document is valid (expires_at)", DefaultValueFactory = _ => TimeSpan.FromDays(7), CustomParser = Durations.Parse };
        var refresh = new Option<TimeSpan>("--refresh-before") { Description = "re-issue unchanged documents this close to expiry", DefaultValueFactory = _ => TimeSpan.FromDays(2), CustomParser = Durations.Parse };
        var defaultDocument = new Option<bool>("--default-document") { Description = $"also build DIR/{RegistryBuilder.DefaultDocumentName}.json for hosts outside the inventory (rules with hosts: [\"*\"])" };
        var diffAgainst = new Option<string?>("--diff-against") { Description = "print who gains and loses access compared with this published tree, and guard against it" };
        var signKey = new Option<string?>("--sign-key") { Description = "sign as ssh-keygen -Y sign -f FILE would (a private key file, or a public key held by ssh-agent; an unencrypted Ed25519 key file signs in process, the same bytes)" };
        var maxRemoval = new Option<double?>("--max-removal-percent") { Description = "mass-removal guard (default Safety:MaxRemovalPercent)" };
        var approve = new Option<string?>("--approve-removal") { Description = "REASON: publish documents over the guard with a removal_approval hosts honour" };
        var force = new Option<bool>("--force") { Description = "publish even if a document trips the removal guard (hosts will still refuse it)" };
        var timings = new Option<bool>("--timings") { Description = "print where the build's time went: compile, render and compare, sign, publish" };
        var keepLast = new Option<bool>("--keep-last-on-source-error") { Description = "a person whose .keys URL (sources.yaml) fails keeps the keys the previous build fetched, and an LDAP directory that cannot be read is replaced by its answer to the previous build (both kept in the state directory), with a warning" };
        var command = new Command("build", "compile a registry source into one snapshot per host")
        {
            source, output, validity, refresh, defaultDocument, diffAgainst, signKey, maxRemoval, approve, force, keepLast, timings,
        };
        command.SetAction((parse, cancellationToken) => RegistryOptions.WithSettingsAsync(parse, async settings =>
        {
            var limits = settings.Safety.ToRemovalLimits();
            if (parse.GetValue(maxRemoval) is { } percent)
            {
                limits = limits with { MaxPercent = percent };
            }
            var build = new BuildSettings(new KeyPolicy(settings.Policy.ToPolicyOptions(), TimeZoneInfo.Local), BuildTime())
            {
                Validity = parse.GetValue(validity),
                RefreshBefore = parse.GetValue(refresh),
                DefaultDocument = parse.GetValue(defaultDocument),
                Commit = GitCommit(parse.GetValue(source)!),
                Limits = limits,
                ApproveRemoval = parse.GetValue(approve),
                Force = parse.GetValue(force),
                Baseline = parse.GetValue(diffAgainst),
                KeepLastOnSourceError = parse.GetValue(keepLast),
                // --state-dir names this command's own state: the sources' kept answers (never a host's State:Directory).
                StateDirectory = parse.GetValue(RegistryOptions.StateDir),
                Timings = parse.GetValue(timings),
            };
            using var keysClient = new KeysUrlClient(settings.KeysUrlTimeout, settings.KeysUrlMaxBytes);
            return await RunAsync(parse.GetValue(source)!, parse.GetValue(output)!, build, parse.GetValue(signKey), Console.Out, Console.Error, keysClient.Get, cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    public static async Task<int> RunAsync(string sourcePath, string outputDirectory, BuildSettings settings, string? signKey, TextWriter stdout, TextWriter stderr,
        Func<HttpClient>? keysClient = null, CancellationToken cancellationToken = default)
    {
        IDocumentSigner? signer = null;
        using var defaultClient = keysClient is null ? new KeysUrlClient() : null;
        try
        {
            // Checked before any source is asked: a mistyped --diff-against is an error, never an empty published tree.
            if (settings.Baseline is { } published)
            {
                PreviousOutput.RequireDirectory(published);
            }
            string state = RegistryStateDirectory.Prepare(settings.StateDirectory ?? RegistryStateDirectory.Default(sourcePath), outputDirectory);
            var ldapCache = new LdapCache(state);
            var keysCache = new KeysUrlCache(state);
            var tree = await SourceTreeLoader.LoadAsync(sourcePath, keysClient ?? defaultClient!.Get, settings.KeepLastOnSourceError, cancellationToken, ldapCache, keysCache).ConfigureAwait(false);
            foreach (string warning in ldapCache.Warnings.Concat(keysCache.Warnings))
            {
                stderr.WriteLine($"keyagentd: warning: {SafeText.Escape(warning, 600)}");
            }
            signer = signKey is null ? null : SignerFactory.Open(signKey, Environment.GetEnvironmentVariable("SSH_AUTH_SOCK"));
            var result = new RegistryBuilder(settings).Build(tree, outputDirectory, signer);
            if (result.Problems.Count > 0)
            {
                stderr.Write(ProblemReport.Text(result.Problems));
            }
            switch (result.Outcome)
            {
                case BuildOutcome.SourceInvalid:
                    stderr.WriteLine("keyagentd: the source has errors; nothing was built");
                    return ExitCodes.Failed;
                case BuildOutcome.GuardTripped:
                    foreach (var (document, diff) in result.Guarded)
                    {
                        stderr.WriteLine($"keyagentd: {document}: {diff.Guard.Describe()}");
                    }
                    stderr.WriteLine($"keyagentd: {result.Guarded.Count} document(s) would trip the hosts' mass-removal guard; nothing was written (review with registry diff, then --approve-removal REASON)");
                    return ExitCodes.MassRemovalGuard;
            }
            // Only an answer that built is kept for --keep-last-on-source-error, and only bodies that built for If-None-Match.
            ldapCache.Save(settings.Now);
            keysCache.Save();
            RegistryStateDirectory.RemoveLegacyFiles(outputDirectory);
            int written = result.New.Count + result.Changed.Count + result.Reissued.Count;
            string serial = written > 0 ? string.Create(CultureInfo.InvariantCulture, $"serial {result.Serial}: ") : "";
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{outputDirectory}: {serial}{result.New.Count} new, {result.Changed.Count} changed, {result.Reissued.Count} re-issued, {result.Unchanged} unchanged, {result.Deleted.Count} deleted") +
                (written == 0 ? "" : result.Signer is { } who ? $"; signed by {who}" : "; unsigned"));
            foreach (var (document, diff) in result.Guarded)
            {
                stdout.WriteLine($"  {document}: {diff.Guard.Describe()}");
            }
            if (settings.Timings && result.Timings is { } t)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"timings: compile {t.Compile.TotalSeconds:F2} s, render and compare {t.RenderAndStage.TotalSeconds:F2} s, sign {t.Sign.TotalSeconds:F2} s ({t.SignedDocuments} documents, {t.SignedBytes} bytes), publish {t.Publish.TotalSeconds:F2} s"));
            }
            if (settings.Baseline is { } baseline)
            {
                return TreeDiffReport.Write(baseline, outputDirectory, new DocumentDiffer(settings.Policy, settings.Now, settings.Limits), json: false, stdout, stderr) == ExitCodes.MassRemovalGuard && !settings.Force && settings.ApproveRemoval is null
                    ? ExitCodes.MassRemovalGuard
                    : ExitCodes.Ok;
            }
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            stderr.WriteLine($"keyagentd: {SafeText.Escape(e.Message, 600)}");
            return ExitCodes.Failed;
        }
        finally
        {
            (signer as IDisposable)?.Dispose();
        }
    }

    /// <summary>SOURCE_DATE_EPOCH (reproducible-builds.org) fixes the build time; otherwise now, to the second.</summary>
    internal static DateTimeOffset BuildTime()
    {
        string? epoch = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
        long seconds = long.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    /// <summary>`git rev-parse HEAD` in SOURCE when it is a git checkout; null otherwise (git missing, not a repository).</summary>
    private static string? GitCommit(string sourcePath)
    {
        try
        {
            var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in (string[])["-C", sourcePath, "rev-parse", "HEAD"])
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }
            string commit = process.StandardOutput.ReadToEnd().Trim();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 && commit.Length is 40 or 64 && commit.All(char.IsAsciiHexDigitLower) ? commit : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
