using KeyAgentd.Configuration;
using KeyAgentd.State;
using KeyAgentd.Verify;

namespace KeyAgentd.Doctor;

/// <summary>
/// The trust roots as the next sync cycle will read them (<see cref="TrustRoots.Load"/>, so doctor and
/// sync never disagree): a file someone else could write, a directory, a dangling symlink, an empty
/// file or a revoked signers line that does not parse is named with its fix, since under it every
/// snapshot is refused and nobody's keys change. The configuration file itself was checked by the same
/// rule before doctor ran: an unsafe one stops every command with exit 2 and the fix.
/// </summary>
internal static class TrustRootsDoctor
{
    public static void Examine(DoctorReport report, KeyAgentdSettings settings, StateStore state, DateTimeOffset now)
    {
        var store = new TrustRootStore(state.Directory);
        var hostTrust = HostTrust.Read(state, settings.Audit.Path, state.LoadStatus());
        var trustFile = hostTrust.File;
        long? floor = HostRoots.Floor(hostTrust, store);
        if (HostRoots.InUse(settings, trustFile, store, floor))
        {
            ExamineRoot(report, settings, state, store, trustFile, floor, now);
            return;
        }
        report.Section("trust roots (Registry:AllowedSignersFile, Registry:RevokedSignersFile)");
        var setup = TrustRoots.Load(settings);
        if (setup.Problem is { } problem)
        {
            report.Fail($"{problem.Code}: {problem.Message}");
            report.Detail("every snapshot is refused and the last-known-good kept until this is fixed");
            return;
        }
        if (setup.Trust is not { } trust)
        {
            report.Info($"signatures {setup.Mode.ToName()}: no trust roots read");
            return;
        }
        report.Ok($"{settings.Registry.AllowedSignersFile}: {trust.AllowedSigners.Signers.Count} signer line(s), signatures {setup.Mode.ToName()}");
        foreach (string warning in setup.Warnings)
        {
            report.Warn(warning);
        }
        if (settings.Registry.RevokedSignersFile is { } revoked)
        {
            report.Ok($"{revoked}: {trust.RevokedSigners.Count} revocation(s)");
        }
    }

    /// <summary>The trust root as the next cycle will start from it (<see cref="HostRoots.Read"/>), and what the last cycle refused.</summary>
    private static void ExamineRoot(DoctorReport report, KeyAgentdSettings settings, StateStore state, TrustRootStore store, TrustStateRead trustFile, long? floor, DateTimeOffset now)
    {
        report.Section("trust root (Registry:TrustRootFile, keyagentd trust init; docs/trust-root.md)");
        if (TrustRoots.Conflict(settings, HostRoots.Source(settings, trustFile, store)) is { } conflict)
        {
            report.Fail($"{conflict.Code}: {conflict.Message}");
            return;
        }
        var read = HostRoots.Read(settings, trustFile, store, now);
        if (read.Root is not { } root)
        {
            report.Fail($"{read.Problem!.Code}: {read.Problem.Message}");
            return;
        }
        string from = read.Installed is null ? store.DocumentPath(root.Version) : $"Registry:TrustRootFile {settings.Registry.TrustRootFile} (kept at the next sync)";
        if (root.IsExpired(now))
        {
            report.Fail($"trust root version {root.Version} ({from}) expired at {root.ExpiresAt:u}: no new snapshot is applied until version {root.Version + 1} is published");
        }
        else
        {
            report.Ok($"trust root version {root.Version} ({from}), expires {root.ExpiresAt:u}");
        }
        if (RootFloor.Check(floor, root.Version, state.Directory) is { } lost)
        {
            // The next cycle may still reach the floor through the registry's chain; until it does, nothing is trusted.
            report.Fail($"{lost.Code}: {lost.Message}");
        }
        report.Info($"root keys: {root.Document.RootThreshold} of {string.Join(", ", root.Document.RootKeys.Select(k => $"{k.Principal} {k.Key.Sha256Fingerprint}"))}");
        report.Info($"snapshot signers: {root.Document.SnapshotThreshold} (or Registry:SignatureThreshold if higher) of {string.Join(", ", root.Document.SnapshotSigners.Select(s => $"{s.Principals} {s.Key.Sha256Fingerprint}"))}");
        if (state.LoadStatus().TrustRootLastRefusal is { } refused)
        {
            report.Warn($"last root refused at {refused.At:u}: {refused.Reason}: {refused.Message}");
        }
    }
}
