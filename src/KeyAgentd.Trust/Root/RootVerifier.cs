using KeyAgentd.Trust.AllowedSigners;
using KeyAgentd.Trust.Policy;
using KeyAgentd.Trust.Revocation;

namespace KeyAgentd.Trust.Root;

/// <summary>
/// TUF's root rules over SSHSIG: root N+1 is accepted only when it parses, its version is exactly N+1, and
/// it is signed by at least the threshold of root N's principals and by at least the threshold of its own
/// (so a stolen old key cannot install a root alone, and a new root cannot be made by keys nobody
/// trusted). Distinct principals are counted as for snapshots (<see cref="DistinctSigners"/>). Expiry is
/// not judged here but at the end of a walk (<see cref="RootWalk"/>): an intermediate root that expired
/// while a host was offline is still a link in its chain. Pure: bytes, the current root and a time in.
/// </summary>
public static class RootVerifier
{
    /// <param name="current">The root this host trusts now.</param>
    /// <param name="document">The candidate's exact bytes.</param>
    /// <param name="signature">The candidate's .sig file.</param>
    public static RootCheck VerifySuccessor(TrustRoot current, ReadOnlySpan<byte> document, ReadOnlySpan<byte> signature, int minRsaBits, DateTimeOffset now)
    {
        if (!TrustRootParser.TryParse(document, minRsaBits, out var candidate, out string? error))
        {
            return RootCheck.Refused(RootReason.Malformed, error);
        }
        long expected = current.Version + 1;
        if (candidate.Version <= current.Version)
        {
            return RootCheck.Refused(RootReason.Rollback,
                $"version {candidate.Version} offered as the successor of version {current.Version} (an older root replayed)", candidate.Version);
        }
        if (candidate.Version != expected)
        {
            return RootCheck.Refused(RootReason.VersionSkip,
                $"version {candidate.Version} offered where version {expected} must come next (every version is signed by its predecessor's keys)", candidate.Version);
        }
        var byPrevious = Evaluate(document, signature, current.RootSigners, current.Revoked, current.Document.RootThreshold, minRsaBits, now);
        if (!byPrevious.IsAccepted)
        {
            return RootCheck.Refused(FromSignatures(byPrevious), $"signed for the root keys of version {current.Version}: {Describe(byPrevious)}",
                candidate.Version, byPrevious);
        }
        var unverified = new TrustRoot(candidate, document.ToArray(), signature.ToArray(), []);
        var byItself = Evaluate(document, signature, unverified.RootSigners, unverified.Revoked, candidate.RootThreshold, minRsaBits, now);
        if (!byItself.IsAccepted)
        {
            return RootCheck.Refused(FromSignatures(byItself), $"signed for its own root keys: {Describe(byItself)}", candidate.Version, byPrevious, byItself);
        }
        return Accept(candidate, document, signature, byPrevious, byItself);
    }

    /// <summary>
    /// A first root, with nothing before it: accepted when at least its own threshold of root principals
    /// signed it <b>with keys whose fingerprints are pinned</b> (from `trust init --root-fingerprint`, or
    /// every root key of a root file the package installed). A server that hands out a root of its own
    /// making meets its threshold with keys nobody pinned.
    /// </summary>
    /// <param name="pinned">SHA256 fingerprints ("SHA256:…") the host was given out of band; null trusts the document's own root keys (a root-owned installed file).</param>
    public static RootCheck VerifyFirst(ReadOnlySpan<byte> document, ReadOnlySpan<byte> signature, IReadOnlyCollection<string>? pinned, int minRsaBits, DateTimeOffset now)
    {
        if (!TrustRootParser.TryParse(document, minRsaBits, out var candidate, out string? error))
        {
            return RootCheck.Refused(RootReason.Malformed, error);
        }
        var all = new TrustRoot(candidate, document.ToArray(), signature.ToArray(), []);
        var signers = all.RootSigners;
        if (pinned is not null)
        {
            var kept = signers.Signers.Where(s => pinned.Contains(s.Key.Sha256Fingerprint, StringComparer.Ordinal)).ToList();
            if (kept.Count == 0)
            {
                return RootCheck.Refused(RootReason.PinMismatch,
                    $"none of version {candidate.Version}'s root keys ({string.Join(", ", candidate.RootKeys.Select(k => k.Key.Sha256Fingerprint))}) is a pinned fingerprint",
                    candidate.Version);
            }
            signers = new AllowedSignersFile(kept, [], signers.Path);
        }
        var byItself = Evaluate(document, signature, signers, all.Revoked, candidate.RootThreshold, minRsaBits, now);
        if (!byItself.IsAccepted)
        {
            var reason = FromSignatures(byItself);
            return RootCheck.Refused(pinned is not null && reason == RootReason.ThresholdNotMet ? RootReason.PinMismatch : reason,
                $"signed for its {(pinned is null ? "" : "pinned ")}root keys: {Describe(byItself)}", candidate.Version, null, byItself);
        }
        return Accept(candidate, document, signature, null, byItself);
    }

    /// <summary>
    /// A root this host accepted before, read back from its state directory: bytes anyone with a bug or a
    /// disk fault could have changed, so verified again (its own threshold, version as recorded) before use.
    /// </summary>
    public static RootCheck VerifyKept(ReadOnlySpan<byte> document, ReadOnlySpan<byte> signature, long expectedVersion, int minRsaBits, DateTimeOffset now)
    {
        var check = VerifyFirst(document, signature, null, minRsaBits, now);
        if (check.IsAccepted && check.Root!.Version != expectedVersion)
        {
            return RootCheck.Refused(check.Root.Version < expectedVersion ? RootReason.Rollback : RootReason.VersionSkip,
                $"the kept root is version {check.Root.Version}, the trust state says {expectedVersion}", check.Root.Version);
        }
        return check;
    }

    private static RootCheck Accept(TrustRootDocument candidate, ReadOnlySpan<byte> document, ReadOnlySpan<byte> signature,
        SignatureDecision? byPrevious, SignatureDecision byItself)
    {
        var signedBy = (byPrevious?.SignerPrincipals ?? []).Concat(byItself.SignerPrincipals).Distinct(StringComparer.Ordinal).ToList();
        var root = new TrustRoot(candidate, document.ToArray(), signature.ToArray(), signedBy);
        return new RootCheck(RootReason.Accepted, null, candidate.Version, root, byPrevious, byItself);
    }

    private static SignatureDecision Evaluate(ReadOnlySpan<byte> document, ReadOnlySpan<byte> signature, AllowedSignersFile signers,
        RevokedSigners revoked, int threshold, int minRsaBits, DateTimeOffset now) =>
        SignaturePolicy.Evaluate(document, signature, signers, revoked, new SignaturePolicyOptions
        {
            Namespace = TrustRootDocument.Namespace,
            Threshold = threshold,
            MinRsaBits = minRsaBits,
        }, now);

    /// <summary>No valid signature at all from a known key is a bad signature; valid ones too few is a threshold not met.</summary>
    private static RootReason FromSignatures(SignatureDecision decision) =>
        decision.DistinctValidSigners == 0 && decision.Reason is TrustReason.SignatureMissing or TrustReason.SignatureMalformed
            or TrustReason.SignatureInvalid or TrustReason.NamespaceMismatch
            ? RootReason.SignatureInvalid
            : RootReason.ThresholdNotMet;

    private static string Describe(SignatureDecision decision) =>
        $"{decision.DistinctValidSigners} of {decision.Threshold} required distinct principal(s) ({decision.ReasonCode}{(decision.Detail is null ? "" : ": " + decision.Detail)})";
}
