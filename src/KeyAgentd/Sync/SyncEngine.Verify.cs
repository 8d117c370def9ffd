using System.Security.Cryptography;
using KeyAgentd.Audit;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Registry;
using KeyAgentd.Signing;
using KeyAgentd.State;

namespace KeyAgentd.Sync;

public sealed partial class SyncEngine
{
    public const string LastKnownGoodUnverified = "last-known-good-unverified";

    // The last-known-good snapshot on disk is trusted only once this process has verified it under
    // enforce (or accepted it itself): a state directory restored from a backup or edited offline must
    // not smuggle keys in. Both fields are only touched inside a cycle, which never overlaps another.
    private bool _lastKnownGoodVerified;
    private bool _lastKnownGoodDiscarded;

    /// <summary>Stage 1a: this cycle's trust roots and mode; an unauthenticated registry is said so at every cycle.</summary>
    private SignatureSetup LoadSignatureSetup(SyncStatus status)
    {
        var setup = TrustRoots.Load(settings);
        status.Signatures = setup.Mode.ToName();
        status.Unauthenticated = setup.Unauthenticated;
        if (setup.Unauthenticated)
        {
            LogUnauthenticated(logger, registry.Location, settings.Registry.Signatures is null
                ? $"no allowed_signers file at {settings.Registry.AllowedSignersFile}"
                : "Registry:Signatures is off");
        }
        foreach (string warning in setup.Warnings)
        {
            LogTrustRootLine(logger, warning);
        }
        return setup;
    }

    /// <summary>Stage 1b: the last-known-good bytes, re-verified (signatures, audience) the first time this process uses them under enforce.</summary>
    private byte[]? LastKnownGoodContent(SyncCycle cycle, SignatureSetup setup)
    {
        byte[]? content = state.LoadSnapshot();
        if (content is null || _lastKnownGoodDiscarded)
        {
            return null;
        }
        if (setup.Mode != SignatureMode.Enforce || _lastKnownGoodVerified)
        {
            return content;
        }
        _lastKnownGoodVerified = true;
        var problem = SnapshotVerifier.CheckLastKnownGood(setup, content, state.LoadSnapshotSignature(), _host, cycle.Now);
        if (problem is null)
        {
            return content;
        }
        _lastKnownGoodDiscarded = true;
        var why = new SnapshotError(LastKnownGoodUnverified,
            $"{Path.Combine(state.Directory, StateStore.SnapshotFileName)} failed re-verification ({problem}); ignored: acting as if there were no last-known-good snapshot");
        cycle.Records.Add(cycle.Record(AuditActions.SnapshotRefused, null) with
        {
            Reason = LastKnownGoodUnverified,
            Message = why.Message,
            SnapshotSha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
        });
        CountRegistryProblem(cycle.Status, why);
        cycle.Status.SignatureVerdict = LastKnownGoodUnverified;
        cycle.Status.SnapshotSigners = [];
        LogLastKnownGoodUnverified(logger, why.Message);
        return null;
    }

    /// <summary>Stage 1c: the .sig beside new snapshot bytes, then every check the snapshot must pass before it replaces the last-known-good one.</summary>
    private async Task<(SnapshotSource? Accepted, SnapshotError? Refusal)> VerifyFetchedAsync(SyncCycle cycle, SignatureSetup setup, RegistryFetch fetch, byte[]? lastKnownGood, CancellationToken stopping)
    {
        byte[]? signature = null;
        if (setup.Mode != SignatureMode.Off)
        {
            var sig = await registry.FetchSignatureAsync(stopping).ConfigureAwait(false);
            if (sig.Status == RegistryFetchStatus.Failed)
            {
                // A transient fault (timeout, 5xx) is not a verdict on the snapshot: counted under its own kind, retried next poll.
                return (null, new SnapshotError(sig.ErrorCode!, $"{registry.SignatureLocation}: {sig.Message}"));
            }
            signature = sig.Status == RegistryFetchStatus.Ok ? sig.Content : null;
        }
        var status = cycle.Status;
        string? lastSha256 = status.SnapshotSha256 ?? (lastKnownGood is null ? null : Convert.ToHexStringLower(SHA256.HashData(lastKnownGood)));
        var binding = new SnapshotBindingOptions(_host, settings.Registry.MaxValidity, settings.Registry.ClockSkew);
        var check = SnapshotVerifier.Check(setup, fetch.Content!, signature, binding, status.SnapshotSerial, lastSha256, cycle.Now);
        if (check.Problem is { } problem)
        {
            cycle.Records.Add(cycle.Record(AuditActions.SnapshotRefused, check.Snapshot?.Serial) with
            {
                Reason = problem.Code,
                Message = problem.Message,
                SnapshotSha256 = check.Sha256,
            });
            if (problem.Code == SnapshotError.Equivocation)
            {
                LogEquivocation(logger, registry.Location, problem.Message);
            }
            return (null, problem);
        }
        status.LastRegistryError = null;
        if (check.Reported is { } reported)
        {
            CountRegistryProblem(status, reported);
            LogReportedOnly(logger, registry.Location, reported.ToString());
        }
        cycle.Records.Add(AcceptedRecord(cycle, check));
        return (new SnapshotSource(check.Snapshot, Fresh: true, fetch.Content, fetch.ETag, null) { Signature = signature, Check = check }, null);
    }

    private AuditRecord AcceptedRecord(SyncCycle cycle, SnapshotCheck check) => cycle.Record(AuditActions.SnapshotAccepted, check.Snapshot!.Serial) with
    {
        Reason = check.Reported?.Code ?? check.SignatureVerdict,
        Message = check.Reported is { } reported
            ? $"from {registry.Location}; applied although {reported.Code} (Registry:Signatures report): {reported.Message}"
            : $"from {registry.Location}",
        Signers = check.Signature is { IsAccepted: true } s ? [.. s.SignerPrincipals] : null,
        SignerFingerprints = check.Signature is { IsAccepted: true } f ? [.. f.SignerFingerprints] : null,
        SnapshotSha256 = check.Sha256,
    };

    /// <summary>Called once a fresh snapshot is saved: what this process accepted itself needs no re-verification.</summary>
    private void TrustSavedSnapshot(SnapshotCheck? check)
    {
        _lastKnownGoodDiscarded = false;
        _lastKnownGoodVerified = check?.Signature is { IsAccepted: true };
    }
}
