using KeyAgentd.Audit;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Storage;

namespace KeyAgentd.State;

/// <summary>
/// The only ways this host's trust goes down: an operator's explicit, audited command. The audit record
/// is written first, so a reset that is not in the audit log never happened; trust-state.json follows.
/// Callers hold the state lock, so no cycle reads the old state and writes it back over the new one.
/// </summary>
public sealed class TrustReset(StateStore state, AuditLog audit, string host, DateTimeOffset now)
{
    public const string SetAsideSuffix = ".set-aside";

    /// <summary>What `trust reset-serial` did.</summary>
    /// <param name="Before">The trust found (floors, enforcement, or why it was damaged).</param>
    /// <param name="SetAside">The serial of the last-known-good snapshot moved aside because it was above the new floor.</param>
    public sealed record SerialReset(HostTrust Before, long To, long? SetAside);

    /// <summary>
    /// Sets the rollback floor (verified and unverified) to <paramref name="to"/>, also over a damaged trust
    /// state; sticky enforcement is kept (and assumed when the file was damaged). A last-known-good above the
    /// new floor is renamed to snapshot.json.set-aside: it would hold the floor up (the floor never falls below
    /// the verified last-known-good), and it is what the operator decided not to trust.
    /// </summary>
    /// <exception cref="IOException">The audit record or the file could not be written.</exception>
    public SerialReset ResetSerial(long to)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(to);
        var before = Read();
        long? aboveFloor = LastKnownGoodSerial() is { } serial && serial > to ? serial : null;
        audit.Append([Record(TrustResetReason.ResetSerial, to,
            $"rollback floor set by hand from {Describe(before.VerifiedFloor)} to {to} (`keyagentd trust reset-serial`)"
            + (before.File.Problem is { } damaged ? $"; the trust state was unusable: {damaged}" : "")
            + (aboveFloor is { } s ? $"; last-known-good snapshot serial {s} set aside" : ""))]);
        var mark = new SerialMark(to, null);
        new TrustStateStore(state.Directory).Save(before.Persisted with
        {
            VerifiedFloor = mark,
            UnverifiedFloor = mark,
            SignaturesRequired = before.SignaturesRequired,
            SignaturesRequiredSince = before.File.State?.SignaturesRequiredSince ?? (before.SignaturesRequired ? now : null),
        });
        if (aboveFloor is not null)
        {
            SetAside(StateStore.SignatureFileName);
            SetAside(StateStore.SnapshotFileName);
            DurableFile.FsyncDirectory(state.Directory);
        }
        return new SerialReset(before, to, aboveFloor);
    }

    /// <summary>
    /// Lifts sticky enforcement: Registry:Signatures (and whether allowed_signers exists) decides again.
    /// Returns null, writing nothing, when signatures were not required.
    /// </summary>
    /// <exception cref="InvalidDataException">The trust state is damaged: its floor is unknown, so it is reset first (reset-serial).</exception>
    /// <exception cref="IOException">The audit record or the file could not be written.</exception>
    public HostTrust? AllowUnsigned()
    {
        var before = Read();
        if (before.File.Problem is { } damaged)
        {
            throw new InvalidDataException($"{damaged}; set the floor first with `keyagentd trust reset-serial --to N`");
        }
        if (!before.SignaturesRequired)
        {
            return null;
        }
        audit.Append([Record(TrustResetReason.AllowUnsigned, null,
            "signatures no longer required by this host's history (`keyagentd trust allow-unsigned`); Registry:Signatures decides again")]);
        new TrustStateStore(state.Directory).Save(before.Persisted with { SignaturesRequired = false, SignaturesRequiredSince = null });
        return before;
    }

    /// <summary>What `trust reset-root` did: the floor found, and the version it was lowered to (null: none kept).</summary>
    public sealed record RootReset(long Floor, long? To);

    /// <summary>
    /// Lowers the trust root floor (root-state-lost) to the highest version still kept in state-dir/root/, or to
    /// none, so the next cycle starts again from that file or Registry:TrustRootFile and walks forward. Returns null,
    /// writing nothing, when no recorded version is above what is kept.
    /// </summary>
    /// <exception cref="InvalidDataException">The trust state is damaged: its floor is unknown, so it is reset first (reset-serial).</exception>
    /// <exception cref="IOException">The audit record or the file could not be written.</exception>
    public RootReset? ResetRoot()
    {
        var before = Read();
        if (before.File.Problem is { } damaged)
        {
            throw new InvalidDataException($"{damaged}; set the floor first with `keyagentd trust reset-serial --to N`");
        }
        long? kept = new TrustRootStore(state.Directory).HighestVersion();
        if (before.RootFloor is not { } floor || (kept is { } k && k >= floor))
        {
            return null;
        }
        string to = kept is { } v ? $"version {v} (kept in {TrustRootStore.DirectoryName}/)" : "none (the next sync starts again from Registry:TrustRootFile)";
        audit.Append([Record(TrustResetReason.ResetRoot, null,
            $"trust root floor lowered by hand from version {floor} to {to} (`keyagentd trust reset-root`): versions above it are no longer required") with { RootVersion = kept }]);
        new TrustStateStore(state.Directory).Save(before.Persisted with { RootVersion = kept, RootFloor = null });
        return new RootReset(floor, kept);
    }

    private HostTrust Read() => HostTrust.Read(state, audit.Path, state.LoadStatus());

    private long? LastKnownGoodSerial()
    {
        try
        {
            return state.LoadSnapshot() is { } content && RegistrySnapshotParser.TryParse(content, out var snapshot, out _) ? snapshot.Serial : null;
        }
        catch (InvalidDataException)
        {
            // Not a regular file: the engine ignores it as no last-known-good, so it holds no floor up.
            return null;
        }
    }

    private void SetAside(string name)
    {
        string path = Path.Combine(state.Directory, name);
        if (File.Exists(path))
        {
            File.Move(path, path + SetAsideSuffix, overwrite: true);
        }
    }

    private AuditRecord Record(TrustResetReason reason, long? serial, string message) =>
        new() { Time = now, Action = AuditAction.TrustReset.ToCode(), Host = host, Reason = reason.ToCode(), Serial = serial, Message = message };

    public static string Describe(SerialMark? floor) => floor?.Serial.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none";
}
