using System.CommandLine;
using KeyAgentd.Audit;
using KeyAgentd.Core;
using KeyAgentd.State;
using KeyAgentd.Verify;
using Microsoft.Extensions.DependencyInjection;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd trust reset-serial --to N`, `keyagentd trust allow-unsigned` and `keyagentd trust reset-root`: the only ways to lower this
/// host's trust (README "Safety rules"), each under the state lock and recorded in the audit log as
/// `trust-reset`. Exit 0 done, 1 failed (nothing changed), 2 usage.
/// </summary>
internal static class TrustCommand
{
    public static Command Create()
    {
        var to = new Option<long>("--to") { Description = "the new rollback floor: the lowest serial this host will accept (0 accepts any)", Required = true };
        var resetSerial = new Command("reset-serial", "set this host's rollback floor to N (audited); a last-known-good snapshot above N is set aside") { to };
        resetSerial.SetAction((parse, cancel) => CommonOptions.WithSettingsAsync(parse, settings =>
            WithReset(settings, reset => ResetSerial(reset, parse.GetValue(to), Console.Out, Console.Error), cancel)));
        var allowUnsigned = new Command("allow-unsigned", "stop requiring signatures because this host has required them before (audited); Registry:Signatures decides again");
        allowUnsigned.SetAction((parse, cancel) => CommonOptions.WithSettingsAsync(parse, settings =>
            WithReset(settings, reset => AllowUnsigned(reset, TrustRoots.Load(settings).Mode, Console.Out, Console.Error), cancel)));
        var resetRoot = new Command("reset-root", "accept a lower trust root than this host once held, after its root files were lost (root-state-lost; audited)");
        resetRoot.SetAction((parse, cancel) => CommonOptions.WithSettingsAsync(parse, settings =>
            WithReset(settings, reset => ResetRoot(reset, Console.Out, Console.Error), cancel)));
        return new Command("trust", "this host's trust: the trust root, the rollback floor and sticky signature enforcement") { TrustInitCommand.Create(), resetSerial, allowUnsigned, resetRoot };
    }

    private static async Task<int> WithReset(Configuration.KeyAgentdSettings settings, Func<TrustReset, int> action, CancellationToken cancel)
    {
        using var services = AppServices.BuildForCommand(settings);
        var state = services.GetRequiredService<StateStore>();
        using var locked = await state.LockAsync(cancel).ConfigureAwait(false);
        return action(new TrustReset(state, services.GetRequiredService<AuditLog>(), settings.Host.ResolvedName, DateTimeOffset.UtcNow));
    }

    public static int ResetSerial(TrustReset reset, long to, TextWriter stdout, TextWriter stderr)
    {
        if (to < 0)
        {
            stderr.WriteLine("keyagentd: trust reset-serial: --to must be 0 or more");
            return ExitCodes.Usage;
        }
        try
        {
            var done = reset.ResetSerial(to);
            string was = done.Before.File.Problem is { } damaged ? $"unusable ({SafeText.Escape(damaged, 300)})" : TrustReset.Describe(done.Before.VerifiedFloor);
            stdout.WriteLine($"rollback floor: {was} → {to}; recorded in the audit log (trust-reset {TrustResetReason.ResetSerial.ToCode()})");
            if (done.SetAside is { } serial)
            {
                stdout.WriteLine($"last-known-good snapshot serial {serial} set aside as {StateStore.SnapshotFileName}{TrustReset.SetAsideSuffix}: "
                    + $"nothing is applied until the registry serves a snapshot with serial {to} or higher that passes verification");
            }
            stdout.WriteLine(done.Before.SignaturesRequired ? "signatures: still required (sticky)" : "signatures: not required by this host's history");
            return ExitCodes.Ok;
        }
        catch (IOException e)
        {
            stderr.WriteLine($"keyagentd: trust reset-serial: {SafeText.Escape(e.Message)}");
            return ExitCodes.Failed;
        }
    }

    public static int ResetRoot(TrustReset reset, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            if (reset.ResetRoot() is not { } done)
            {
                stdout.WriteLine("this host holds the highest trust root version it ever accepted: nothing to do");
                return ExitCodes.Ok;
            }
            stdout.WriteLine($"trust root floor: version {done.Floor} → {(done.To is { } v ? $"version {v}" : "none")}; recorded in the audit log (trust-reset {TrustResetReason.ResetRoot.ToCode()})");
            stdout.WriteLine(done.To is null
                ? "the next sync starts again from Registry:TrustRootFile and walks to the newest version the registry serves"
                : "the next sync walks forward from the kept version to the newest the registry serves");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            stderr.WriteLine($"keyagentd: trust reset-root: {SafeText.Escape(e.Message)}");
            return ExitCodes.Failed;
        }
    }

    public static int AllowUnsigned(TrustReset reset, SignatureMode configured, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            if (reset.AllowUnsigned() is null)
            {
                stdout.WriteLine("signatures are not required by this host's history: nothing to do");
                return ExitCodes.Ok;
            }
            stdout.WriteLine($"signatures no longer required by this host's history; recorded in the audit log (trust-reset {TrustResetReason.AllowUnsigned.ToCode()})");
            stdout.WriteLine($"Registry:Signatures as configured now: {configured.ToName()}"
                + (configured == SignatureMode.Enforce ? " (the next cycle under enforce makes signatures required again)" : ""));
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            stderr.WriteLine($"keyagentd: trust allow-unsigned: {SafeText.Escape(e.Message)}");
            return ExitCodes.Failed;
        }
    }
}
