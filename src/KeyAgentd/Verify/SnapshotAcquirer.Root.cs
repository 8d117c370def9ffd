using System.Security.Cryptography;
using KeyAgentd.Audit;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Fetch;
using KeyAgentd.State;
using KeyAgentd.Sync;
using KeyAgentd.Trust.Root;
using static KeyAgentd.Sync.SyncLog;

namespace KeyAgentd.Verify;

internal sealed partial class SnapshotAcquirer
{
    // A root version refused is audited once per content and reason (counted and logged at every cycle);
    // its document is kept with its ETag, so asking for the same version again is a conditional GET.
    private string? _auditedRootRefusal;
    private (long Version, string ETag, byte[] Document)? _offeredRoot;
    private string? _lastOfferedSha256;

    /// <summary>
    /// Stage 1b′, on a host that uses a trust root: the kept root (or the installed first one), then every
    /// next version the registry publishes, each kept (files, then the trust state) before it is used; the
    /// snapshot signers of the newest root reached. Null on a host that uses an allowed_signers file.
    /// </summary>
    private async Task<SignatureSetup?> LoadRootSetupAsync(SyncCycle cycle, HostTrust trust, CancellationToken stopping)
    {
        var store = new TrustRootStore(state.Directory);
        cycle.Status.TrustRootProblem = null;
        long? floor = HostRoots.Floor(trust, store);
        if (!HostRoots.InUse(settings, trust.File, store, floor))
        {
            cycle.Status.TrustRoot = null;
            return null;
        }
        var mode = SignatureModes.Resolve(settings.Registry.Signatures, allowedSignersFileExists: true);
        if (TrustRoots.Conflict(settings, HostRoots.Source(settings, trust.File, store)) is { } conflict)
        {
            return Unusable(cycle, mode, conflict);
        }
        var read = HostRoots.Read(settings, trust.File, store, cycle.Now);
        if (read.Refused is { } refusedFile)
        {
            RecordRootRefusal(cycle, null, refusedFile.Version, refusedFile.ReasonCode, refusedFile.ToString(), refusedFile.Version + ":" + refusedFile.ReasonCode);
        }
        if (read.Root is not { } start)
        {
            return Unusable(cycle, mode, read.Problem!);
        }
        var accepted = new List<(TrustRoot Root, string From)>();
        if (read.Installed is not null)
        {
            accepted.Add((start, "Registry:TrustRootFile " + settings.Registry.TrustRootFile));
        }
        var walk = await RootWalk.WalkAsync(start, FetchRootAsync, settings.Policy.MinRsaBits, cycle.Now, stopping).ConfigureAwait(false);
        accepted.AddRange(walk.Accepted.Select(r => (r, registry.LocationBeside(RootPath(r.Version)))));
        var stateLost = RootFloor.Check(floor, walk.Current.Version, state.Directory);
        // Written down while it holds, so it outlives the audit record it may have come from; reaching it again clears it.
        cycle.TrustAfter = cycle.TrustAfter! with { RootFloor = stateLost is null ? null : floor };
        try
        {
            Keep(cycle, walk.Current, accepted.Count > 0 ? [.. accepted.Select(a => a.Root)] : []);
        }
        catch (IOException e)
        {
            // Not kept, not used: a root that dropped a leaked signer must never be forgotten by the next start.
            return Unusable(cycle, mode, new SnapshotError(SignatureSetup.TrustRootsUnusable,
                $"trust root version {walk.Current.Version} was accepted but could not be kept ({e.Message}); no snapshot is trusted until it can be"));
        }
        foreach (var (root, from) in accepted)
        {
            RecordRootAccepted(cycle, root, from);
        }
        if (walk.Refused is { } refused)
        {
            RecordRootRefusal(cycle, walk.Current.Version, refused.Version, refused.ReasonCode, refused.ToString(), $"{refused.Version}:{refused.ReasonCode}:{_lastOfferedSha256}");
        }
        cycle.Status.TrustRoot = Describe(walk.Current, walk.Expired);
        if (stateLost is not null)
        {
            RecordRootRefusal(cycle, walk.Current.Version, floor, stateLost.Code, stateLost.Message, $"{floor}:{stateLost.Code}:{walk.Current.Version}");
            return new SignatureSetup(mode, null, stateLost, []);
        }
        var setup = TrustRoots.FromRoot(settings, walk.Current);
        if (walk.Expired)
        {
            long next = walk.Current.Version + 1;
            string why = $"trust root version {walk.Current.Version} expired at {walk.Current.ExpiresAt:u} and version {next} is not published: "
                + "no new snapshot is applied until it is (the last-known-good stays, no keys change)";
            RecordRootRefusal(cycle, walk.Current.Version, walk.Current.Version, RootReason.Expired.ToCode(), why, $"{walk.Current.Version}:expired");
            LogRootExpired(logger, walk.Current.Version, walk.Current.ExpiresAt, next);
            return setup with { FreshRefusal = new SnapshotError(RootReason.Expired.ToCode(), why) };
        }
        if (walk.FetchProblem is { } failed)
        {
            string why = $"{registry.LocationBeside(RootPath(walk.Current.Version + 1))}: {failed.Message}; no new snapshot is judged until the next trust root version can be asked for (it may drop a signer)";
            LogRootFetchFailed(logger, why);
            return setup with { FreshRefusal = new SnapshotError(failed.Code, why) };
        }
        return setup;
    }

    private static string RootPath(long version) => $"root/{version}.json";

    /// <summary>
    /// root/N.json and its .sig beside the snapshots; a 404 is the normal "no next version". A document
    /// refused before is asked for with its ETag (a 304 re-uses the bytes kept); its .sig is always read
    /// again, since root holders add their signatures to an unchanged document one by one.
    /// </summary>
    private async Task<RootFetch> FetchRootAsync(long version, CancellationToken stopping)
    {
        string path = RootPath(version);
        var offered = _offeredRoot is { } o && o.Version == version ? o : ((long Version, string ETag, byte[] Document)?)null;
        var document = await registry.FetchBesideAsync(path, offered?.ETag, stopping).ConfigureAwait(false);
        byte[] content;
        switch (document.Status)
        {
            case RegistryFetchStatus.Missing:
                return RootFetch.Absent;
            case RegistryFetchStatus.Failed:
                return new RootFetch.Failed(document.ErrorCode!, document.Message ?? document.ErrorCode!);
            case RegistryFetchStatus.NotModified when offered is { } same:
                content = same.Document;
                break;
            case RegistryFetchStatus.NotModified:
                return new RootFetch.Failed(FetchProblem.HttpError.ToCode(), $"{registry.LocationBeside(path)} answered 304 to an unconditional request");
            default:
                content = document.Content!;
                _offeredRoot = document.ETag is { } etag ? (version, etag, content) : null;
                break;
        }
        var signature = await registry.FetchBesideAsync(path + ".sig", null, stopping).ConfigureAwait(false);
        if (signature.Status == RegistryFetchStatus.Failed)
        {
            return new RootFetch.Failed(signature.ErrorCode!, signature.Message ?? signature.ErrorCode!);
        }
        // No .sig at all is judged like a bad one (root-signature-invalid), not as "nothing published".
        byte[] sig = signature.Content ?? [];
        _lastOfferedSha256 = Convert.ToHexStringLower(SHA256.HashData([.. content, .. sig]));
        return new RootFetch.Found(content, sig);
    }

    /// <summary>Every version accepted this cycle, files first, then the version in the trust state: kept before it is used.</summary>
    private void Keep(SyncCycle cycle, TrustRoot current, IReadOnlyList<TrustRoot> accepted)
    {
        if (cycle.TrustAfter!.RootVersion == current.Version || cycle.Options.DryRun)
        {
            return;
        }
        var store = new TrustRootStore(state.Directory);
        foreach (var root in accepted)
        {
            store.Save(root);
        }
        cycle.TrustAfter = cycle.TrustAfter with { RootVersion = current.Version };
        new TrustStateStore(state.Directory).Save(cycle.TrustAfter);
    }

    private void RecordRootAccepted(SyncCycle cycle, TrustRoot root, string from)
    {
        string signers = string.Join(", ", root.Document.SnapshotSigners.Select(s => $"{s.Principals} {s.Key.Sha256Fingerprint}"));
        cycle.Records.Add(cycle.Record(AuditAction.RootAccepted, null) with
        {
            RootVersion = root.Version,
            Reason = RootReason.Accepted.ToCode(),
            Message = $"from {from}; expires {root.ExpiresAt:u}; snapshot signers ({root.Document.SnapshotThreshold} required): {signers}",
            Signers = [.. root.SignedBy],
            SnapshotSha256 = Convert.ToHexStringLower(SHA256.HashData(root.Bytes)),
        });
        LogRootAccepted(logger, root.Version, from, string.Join(", ", root.SignedBy), signers);
    }

    /// <summary>Counted, shown and logged at every cycle; audited once per offered content and reason.</summary>
    private void RecordRootRefusal(SyncCycle cycle, long? current, long? offered, string reason, string message, string key)
    {
        var status = cycle.Status;
        status.TrustRootRefusals[reason] = status.TrustRootRefusals.GetValueOrDefault(reason) + 1;
        status.TrustRootLastRefusal = new TrustRootRefusal(offered, reason, message, cycle.Now);
        status.TrustRootProblem = reason;
        LogRootRefused(logger, current, message);
        if (_auditedRootRefusal == key)
        {
            return;
        }
        _auditedRootRefusal = key;
        cycle.Records.Add(cycle.Record(AuditAction.RootRefused, null) with { RootVersion = offered, Reason = reason, Message = message });
    }

    private SignatureSetup Unusable(SyncCycle cycle, SignatureMode mode, SnapshotError problem)
    {
        cycle.Status.TrustRoot = null;
        LogRootUnusable(logger, problem.Message);
        return new SignatureSetup(mode, null, problem, []);
    }

    private static TrustRootStatus Describe(TrustRoot root, bool expired) => new()
    {
        Version = root.Version,
        ExpiresAt = root.ExpiresAt,
        Expired = expired,
        RootThreshold = root.Document.RootThreshold,
        RootPrincipals = [.. root.Document.RootKeys.Select(k => k.Principal).Distinct(StringComparer.Ordinal)],
        SnapshotThreshold = root.Document.SnapshotThreshold,
        SnapshotSigners = [.. root.Document.SnapshotSigners.Select(s => new State.SnapshotSigner(s.Principals, s.Key.TypeName, s.Key.Sha256Fingerprint))],
        SignedBy = [.. root.SignedBy],
    };
}
