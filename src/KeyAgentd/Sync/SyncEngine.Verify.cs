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

    // The last-known-good snapshot on disk is trusted under enforce only in the bytes this process verified
    // (or accepted itself): the SHA-256 of those bytes, and the array they were read into, which StateStore
    // hands back unchanged while the file's identity is unchanged. An edit under a running daemon gives other
    // bytes, verified again. Only touched inside a cycle, which never overlaps another.
    private string? _verifiedSha256;
    private byte[]? _verifiedContent;
    private string? _discardedSha256;
    private string? _belowFloorSha256;

    /// <summary>Stage 1b: this cycle's trust roots and mode; an unauthenticated registry is said so at every cycle.</summary>
    private SignatureSetup LoadSignatureSetup(SyncCycle cycle, HostTrust trust)
    {
        var status = cycle.Status;
        var setup = TrustRoots.Load(settings);
        if (setup.Mode != SignatureMode.Enforce && trust.SignaturesRequired)
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
        foreach (string warning in setup.Warnings)
        {
            LogTrustRootLine(logger, warning);
        }
        return setup;
    }

    /// <summary>
    /// Stage 1c: the last-known-good bytes, re-verified (signatures, audience) under enforce whenever they are
    /// not the bytes this process last verified, and held to the rollback floor: a last-known-good below the
    /// floor (a state directory restored from a backup) is ignored like an unverified one.
    /// </summary>
    private (byte[]? Content, SerialMark? Floor) LastKnownGoodContent(SyncCycle cycle, SignatureSetup setup, HostTrust trust)
    {
        var floor = FloorBefore(setup, trust);
        byte[]? content = state.LoadSnapshot();
        if (content is null)
        {
            return (null, floor);
        }
        string sha256 = ReferenceEquals(content, _verifiedContent) ? _verifiedSha256! : Convert.ToHexStringLower(SHA256.HashData(content));
        if (setup.Mode == SignatureMode.Enforce && !IsVerified(cycle, setup, content, sha256))
        {
            return (null, floor);
        }
        var kept = LastKnownGood(content);
        if (floor is { } f && kept.Serial < f.Serial)
        {
            if (_belowFloorSha256 != sha256)
            {
                _belowFloorSha256 = sha256;
                Discard(cycle, SnapshotError.Rollback, sha256, kept.Serial,
                    $"is serial {kept.Serial}, below this host's rollback floor {f.Serial} (a state directory restored from a backup?)");
            }
            return (null, floor);
        }
        var mark = new SerialMark(kept.Serial, sha256);
        if (setup.Mode == SignatureMode.Enforce)
        {
            cycle.TrustAfter = cycle.TrustAfter!.Accepted(mark, verified: true);
        }
        return (content, SerialMark.Max(floor, mark));
    }

    private bool IsVerified(SyncCycle cycle, SignatureSetup setup, byte[] content, string sha256)
    {
        if (sha256 == _verifiedSha256)
        {
            _verifiedContent = content;
            return true;
        }
        if (sha256 == _discardedSha256)
        {
            return false;
        }
        var problem = SnapshotVerifier.CheckLastKnownGood(setup, content, state.LoadSnapshotSignature(), _host, cycle.Now);
        if (problem is null)
        {
            (_verifiedSha256, _verifiedContent) = (sha256, content);
            return true;
        }
        _discardedSha256 = sha256;
        Discard(cycle, LastKnownGoodUnverified, sha256, null, $"failed re-verification ({problem})");
        cycle.Status.SignatureVerdict = LastKnownGoodUnverified;
        cycle.Status.SnapshotSigners = [];
        return false;
    }

    /// <summary>The last-known-good is set aside for this cycle: audited once per content, counted, logged.</summary>
    private void Discard(SyncCycle cycle, string code, string sha256, long? serial, string why)
    {
        var error = new SnapshotError(code,
            $"{Path.Combine(state.Directory, StateStore.SnapshotFileName)} {why}; ignored: acting as if there were no last-known-good snapshot");
        cycle.Records.Add(cycle.Record(AuditActions.SnapshotRefused, serial) with
        {
            Reason = code,
            Message = error.Message,
            SnapshotSha256 = sha256,
        });
        CountRegistryProblem(cycle.Status, error);
        LogLastKnownGoodUnverified(logger, error.Message);
    }

    /// <summary>Stage 1c: the .sig beside new snapshot bytes, then every check the snapshot must pass before it replaces the last-known-good one.</summary>
    private async Task<(SnapshotSource? Accepted, SnapshotError? Refusal)> VerifyFetchedAsync(SyncCycle cycle, SignatureSetup setup, RegistryFetch fetch, SerialMark? floor, CancellationToken stopping)
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
        var binding = new SnapshotBindingOptions(_host, settings.Registry.MaxValidity, settings.Registry.ClockSkew);
        var check = SnapshotVerifier.Check(setup, fetch.Content!, signature, binding, floor?.Serial, floor?.Sha256, cycle.Now);
        if (check.Problem is { } found)
        {
            var problem = found.Code == SnapshotError.Rollback
                ? found with { Message = $"{found.Message}; if the registry's serials really went back, `keyagentd trust reset-serial --to N` lowers the floor (audited)" }
                : found;
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

    /// <summary>Called once a fresh snapshot is saved: what this process accepted itself with verified signatures needs no re-verification.</summary>
    private void TrustSavedSnapshot(SnapshotCheck? check)
    {
        _discardedSha256 = null;
        _belowFloorSha256 = null;
        _verifiedSha256 = check?.Signature is { IsAccepted: true } ? check.Sha256 : null;
        _verifiedContent = null;
    }
}
