using KeyAgentd.Audit;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Fetch;
using KeyAgentd.State;
using KeyAgentd.Sync;
using static KeyAgentd.Sync.SyncLog;

namespace KeyAgentd.Verify;

internal sealed partial class SnapshotAcquirer
{
    /// <summary>Stage 1b: this cycle's trust roots and mode; an unauthenticated registry is said so at every cycle.</summary>
    private async Task<SignatureSetup> LoadSignatureSetupAsync(SyncCycle cycle, HostTrust trust, CancellationToken stopping)
    {
        var status = cycle.Status;
        var setup = await LoadRootSetupAsync(cycle, trust, stopping).ConfigureAwait(false) ?? TrustRoots.Load(settings);
        if (setup.Root is not null && setup.Mode != SignatureMode.Enforce && trust.SignaturesRequired)
        {
            // Sticky, as below: a host that has required signatures judges under enforce, with the root's signers.
            LogSignaturesRequired(logger, $"Registry:Signatures is {settings.Registry.Signatures}");
            setup = setup with { Mode = SignatureMode.Enforce };
        }
        else if (setup.Mode != SignatureMode.Enforce && trust.SignaturesRequired)
        {
            // Sticky: a host that has required signatures is never downgraded by its configuration or a missing file.
            LogSignaturesRequired(logger, settings.Registry.Signatures is { } configured
                ? $"Registry:Signatures is {configured}"
                : $"there is no allowed_signers file at {settings.Registry.AllowedSignersFile}");
            setup = TrustRoots.Load(settings, settings.Registry.AllowedSignersFile);
        }
        if (setup.Mode == SignatureMode.Enforce)
        {
            cycle.TrustAfter = cycle.TrustAfter!.RequiringSignatures(cycle.Now);
        }
        status.Signatures = setup.Mode.ToName();
        status.Unauthenticated = setup.Unauthenticated;
        if (setup.Unauthenticated)
        {
            LogUnauthenticated(logger, registry.Location, settings.Registry.Signatures is null
                ? $"no allowed_signers file at {settings.Registry.AllowedSignersFile}"
                : "Registry:Signatures is off");
        }
        status.TrustRootsProblems = [.. setup.Warnings];
        foreach (string warning in setup.Warnings)
        {
            LogTrustRootLine(logger, warning);
        }
        return setup;
    }

    /// <summary>Stage 1d: the .sig beside new snapshot bytes, then every check the snapshot must pass before it replaces the last-known-good one.</summary>
    private async Task<(AcquiredSnapshot? Accepted, SnapshotError? Refusal)> VerifyFetchedAsync(SyncCycle cycle, SignatureSetup setup, RegistryFetch fetch, SerialMark? floor, CancellationToken stopping)
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
        var binding = new SnapshotBindingOptions(_host, setup.MaxValidity(settings.Registry.MaxValidity), settings.Registry.ClockSkew);
        var check = SnapshotVerifier.Check(setup, fetch.Content!, signature, binding, floor?.Serial, floor?.Sha256, cycle.Now);
        if (check.Problem is { } found)
        {
            var problem = found.Code == SnapshotError.Rollback
                ? found with { Message = $"{found.Message}; if the registry's serials really went back, `keyagentd trust reset-serial --to N` lowers the floor (audited)" }
                : found;
            cycle.Records.Add(cycle.Record(AuditAction.SnapshotRefused, check.Snapshot?.Serial) with
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
        return (new AcquiredSnapshot(check.Snapshot, Fresh: true, fetch.Content, fetch.ETag, null) { Signature = signature, Check = check }, null);
    }

    private AuditRecord AcceptedRecord(SyncCycle cycle, SnapshotCheck check) => cycle.Record(AuditAction.SnapshotAccepted, check.Snapshot!.Serial) with
    {
        Reason = check.Reported?.Code ?? check.SignatureVerdict,
        Message = check.Reported is { } reported
            ? $"from {registry.Location}; applied although {reported.Code} (Registry:Signatures report): {reported.Message}"
            : $"from {registry.Location}",
        Signers = check.Signature is { IsAccepted: true } s ? [.. s.SignerPrincipals] : null,
        SignerFingerprints = check.Signature is { IsAccepted: true } f ? [.. f.SignerFingerprints] : null,
        SnapshotSha256 = check.Sha256,
    };

    /// <summary>Called once a fresh snapshot is saved: its audience was checked when it was accepted; its signatures are checked again at every cycle.</summary>
    private void TrustSavedSnapshot(SnapshotCheck? check)
    {
        _discardedSha256 = null;
        _belowFloorSha256 = null;
        _audienceCheckedSha256 = check?.Sha256;
        _verifiedSha256 = check?.Signature is { IsAccepted: true } ? check.Sha256 : null;
    }
}
