using KeyAgentd.Audit;
using KeyAgentd.Verify;

namespace KeyAgentd.State;

/// <summary>
/// The trust this host holds at the start of a cycle, from every place that records it: trust-state.json,
/// the audit log's recent records, and (only when trust-state.json is missing) other traces of signed
/// acceptance. Losing or rolling back one of them never lowers the floor or lifts enforcement.
/// </summary>
/// <param name="OtherSignedEvidence">A saved snapshot.json.sig, or a status.json that shows signers, enforce,
/// or is damaged: counted only when trust-state.json is missing, so deleting it cannot reset enforcement.</param>
/// <param name="StatusRootVersion">The trust root version status.json last showed: counted, like <paramref name="OtherSignedEvidence"/>,
/// only when trust-state.json is missing, so the root floor survives a lost trust state and audit log together.</param>
public sealed record HostTrust(TrustStateRead File, AuditTrustEvidence Audit, bool OtherSignedEvidence, long? StatusRootVersion = null)
{
    /// <summary>Sticky enforcement; a damaged trust state fails closed.</summary>
    public bool SignaturesRequired =>
        File.State?.SignaturesRequired == true || File.IsDamaged || Audit.SignedAcceptance || (File.IsMissing && OtherSignedEvidence);

    /// <summary>The floor under enforcement, before the verified last-known-good is counted.</summary>
    public SerialMark? VerifiedFloor => SerialMark.Max(File.State?.VerifiedFloor, Audit.SignedFloor);

    /// <summary>The floor when signatures are off or report: every serial accepted, verified or not.</summary>
    public SerialMark? AnyFloor => SerialMark.Max(VerifiedFloor, File.State?.UnverifiedFloor);

    /// <summary>
    /// The highest trust root version this host ever accepted, as recorded apart from the root files (trust-state.json,
    /// the audit log, status.json when the trust state is missing); <see cref="Verify.HostRoots.Floor"/> adds the kept files.
    /// </summary>
    public long? RootFloor => Verify.RootFloor.Highest(File.State?.RootFloor, File.State?.RootVersion, Audit.RootFloor, File.IsMissing ? StatusRootVersion : null);

    /// <summary>What trust-state.json should hold now: the file's state, or rebuilt from the other places when it is missing.</summary>
    public TrustState Persisted => File.State ?? new TrustState { VerifiedFloor = Audit.SignedFloor, SignaturesRequired = SignaturesRequired };

    public static HostTrust Read(StateStore state, string auditPath, SyncStatus status, AuditTrustEvidence? audit = null)
    {
        var file = new TrustStateStore(state.Directory).Load();
        bool other = file.IsMissing && (state.HasSnapshotSignature || status.Damaged is not null
            || status.SnapshotSigners.Count > 0 || status.Signatures == SignatureMode.Enforce.ToName());
        return new HostTrust(file, audit ?? AuditTrustEvidence.Read(auditPath), other, status.TrustRoot?.Version);
    }

    /// <summary>One line for `status` and `doctor`.</summary>
    public string Describe() => File switch
    {
        { IsDamaged: true } => $"UNUSABLE: {File.Problem}; every snapshot is refused (trust-state-unusable) until `keyagentd trust reset-serial --to N`",
        _ => $"rollback floor {VerifiedFloor?.Serial.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} (verified)"
             + (File.State?.UnverifiedFloor is { } u ? $", {u.Serial} (any, for Signatures off/report)" : "")
             + (SignaturesRequired ? "; signatures required (sticky" + (File.State?.SignaturesRequiredSince is { } since ? $" since {since.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z" : "") + "; `keyagentd trust allow-unsigned` lifts it)" : "; signatures not required by this host's history")
             + (File.IsMissing ? $"; {TrustStateStore.FileName} missing (rebuilt from the audit log and the last-known-good at the next sync)" : "")
             + (Audit.Ignored is { } ignored ? $"; {ignored}" : ""),
    };
}
