using System.Security.Cryptography;
using KeyAgentd.Audit;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.State;
using KeyAgentd.Sync;
using static KeyAgentd.Sync.SyncLog;

namespace KeyAgentd.Verify;

internal sealed partial class SnapshotAcquirer
{
    // Under enforce the last-known-good's signatures are verified at every cycle against that cycle's trust roots;
    // its audience (which needs the whole document parsed) only when its bytes, known by their SHA-256, are not
    // those checked already. A discard is audited once per content. Only touched inside a cycle, which never overlaps another.
    private string? _audienceCheckedSha256;
    private string? _verifiedSha256;
    private string? _discardedSha256;
    private string? _belowFloorSha256;

    // StateStore hands back the same array while the file's identity is unchanged: hashed once, not every cycle.
    private (byte[] Content, string Sha256)? _hashed;

    /// <summary>
    /// Stage 1c: the last-known-good bytes, re-verified under enforce (signatures at every cycle against that
    /// cycle's trust roots, so a revoked or expired signer stops them at the next poll as a restart would; the
    /// audience whenever the bytes change), and held to the rollback floor: a last-known-good below the
    /// floor (a state directory restored from a backup) is ignored like an unverified one.
    /// </summary>
    private (byte[]? Content, SerialMark? Floor) LastKnownGoodContent(SyncCycle cycle, SignatureSetup setup, HostTrust trust)
    {
        var floor = FloorBefore(setup, trust);
        byte[]? content;
        try
        {
            content = state.LoadSnapshot();
        }
        catch (InvalidDataException e)
        {
            // Never what keyagentd saved (it renames a regular file into place): no last-known-good, and the next accepted snapshot replaces it.
            LogLastKnownGoodUnverified(logger, $"{e.Message}; ignored: acting as if there were no last-known-good snapshot");
            return (null, floor);
        }
        if (content is null)
        {
            return (null, floor);
        }
        string sha256 = Sha256Of(content);
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

    private string Sha256Of(byte[] content)
    {
        if (_hashed is { } last && ReferenceEquals(last.Content, content))
        {
            return last.Sha256;
        }
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        _hashed = (content, sha256);
        return sha256;
    }

    private bool IsVerified(SyncCycle cycle, SignatureSetup setup, byte[] content, string sha256)
    {
        if (setup.Trust is null && sha256 == _verifiedSha256)
        {
            // The trust roots cannot be read this cycle (trust-roots-unusable): nothing can be judged, so the bytes
            // verified last stay in use and every fetched snapshot is refused, until the roots are fixed.
            return true;
        }
        byte[]? signature = state.LoadSnapshotSignature();
        var problem = sha256 == _audienceCheckedSha256
            ? SnapshotVerifier.CheckLastKnownGoodSignatures(setup, content, signature, sha256, cycle.Now)
            : SnapshotVerifier.CheckLastKnownGood(setup, content, signature, _host, cycle.Now);
        if (problem is null)
        {
            _audienceCheckedSha256 = sha256;
            _verifiedSha256 = sha256;
            _discardedSha256 = null;
            return true;
        }
        _verifiedSha256 = null;
        if (_discardedSha256 != sha256)
        {
            _discardedSha256 = sha256;
            Discard(cycle, SyncEngine.LastKnownGoodUnverified, sha256, null, $"failed re-verification ({problem})");
        }
        cycle.Status.SignatureVerdict = SyncEngine.LastKnownGoodUnverified;
        cycle.Status.SnapshotSigners = [];
        return false;
    }

    /// <summary>The last-known-good is set aside for this cycle: audited once per content, counted, logged.</summary>
    private void Discard(SyncCycle cycle, string code, string sha256, long? serial, string why)
    {
        var error = new SnapshotError(code,
            $"{Path.Combine(state.Directory, StateStore.SnapshotFileName)} {why}; ignored: acting as if there were no last-known-good snapshot");
        cycle.Records.Add(cycle.Record(AuditAction.SnapshotRefused, serial) with
        {
            Reason = code,
            Message = error.Message,
            SnapshotSha256 = sha256,
        });
        CountRegistryProblem(cycle.Status, error);
        LogLastKnownGoodUnverified(logger, error.Message);
    }
}
