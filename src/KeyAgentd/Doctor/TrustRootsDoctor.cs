using KeyAgentd.Configuration;
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
    public static void Examine(DoctorReport report, KeyAgentdSettings settings)
    {
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
}
