using System.Security.Cryptography;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Trust;
using KeyAgentd.Trust.Policy;

namespace KeyAgentd.Verify;

/// <summary>
/// The verification stage: signatures over the exact bytes first (an unauthenticated document
/// decides nothing, not even which error to report), then the document's own rules: schema,
/// audience, serial (rollback, equivocation), expiry, and under signatures the validity window.
/// Used by the sync engine and by `keyagentd registry verify`, so both say the same thing.
/// </summary>
public static class SnapshotVerifier
{
    /// <param name="signature">The .sig file's bytes; null when the registry has none.</param>
    /// <param name="lastSerial">The serial of the last accepted snapshot, for rollback and equivocation.</param>
    /// <param name="lastSha256">The SHA-256 (hex) of the last accepted snapshot's bytes.</param>
    public static SnapshotCheck Check(SignatureSetup setup, byte[] content, byte[]? signature, SnapshotBindingOptions binding,
        long? lastSerial, string? lastSha256, DateTimeOffset now)
    {
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        var (decision, signatureProblem) = VerifySignatures(setup, content, signature, sha256, now);
        SnapshotError? reported = null;
        if (signatureProblem is not null)
        {
            if (setup.Mode == SignatureMode.Enforce)
            {
                return new SnapshotCheck(null, decision, signatureProblem, null, sha256);
            }
            reported = signatureProblem;
        }
        if (!RegistrySnapshotParser.TryParse(content, out var snapshot, out var error))
        {
            return new SnapshotCheck(null, decision, error, reported, sha256);
        }
        error = SnapshotBinding.CheckAudience(snapshot, binding.HostName)
            ?? SnapshotValidator.Check(snapshot, lastSerial, lastSha256, sha256, now);
        if (error is not null)
        {
            return new SnapshotCheck(snapshot, decision, error, reported, sha256);
        }
        if (setup.Mode != SignatureMode.Off && SnapshotBinding.CheckValidity(snapshot, binding, now) is { } validity)
        {
            if (setup.Mode == SignatureMode.Enforce)
            {
                return new SnapshotCheck(snapshot, decision, validity, null, sha256);
            }
            reported ??= validity;
        }
        return new SnapshotCheck(snapshot, decision, null, reported, sha256);
    }

    /// <summary>
    /// The start-up check of the last-known-good snapshot under enforce: its signatures (against today's
    /// trust roots) and its audience. Not its expiry: a stale last-known-good is still the safest thing to hold.
    /// </summary>
    public static SnapshotError? CheckLastKnownGood(SignatureSetup setup, byte[] content, byte[]? signature, string hostName, DateTimeOffset now)
    {
        string sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        var (_, problem) = VerifySignatures(setup, content, signature, sha256, now);
        if (problem is not null)
        {
            return problem;
        }
        return RegistrySnapshotParser.TryParse(content, out var snapshot, out var error)
            ? SnapshotBinding.CheckAudience(snapshot, hostName)
            : error;
    }

    /// <summary>
    /// Only the signatures of the last-known-good, against today's trust roots at <paramref name="now"/>: what
    /// can change while its bytes do not (a signer revoked, removed, or past its valid-before), checked at
    /// every cycle so that it takes effect at the next poll, not the next restart.
    /// </summary>
    public static SnapshotError? CheckLastKnownGoodSignatures(SignatureSetup setup, byte[] content, byte[]? signature, string sha256, DateTimeOffset now) =>
        VerifySignatures(setup, content, signature, sha256, now).Problem;

    private static (SignatureDecision? Decision, SnapshotError? Problem) VerifySignatures(SignatureSetup setup, byte[] content, byte[]? signature, string sha256, DateTimeOffset now)
    {
        if (setup.Mode == SignatureMode.Off)
        {
            return (null, null);
        }
        if (setup.Trust is not { } trust)
        {
            return (null, setup.Problem ?? new SnapshotError(SignatureSetup.TrustRootsUnusable, "no trust roots"));
        }
        var decision = signature is null
            ? new SignatureDecision(TrustReason.SignatureMissing, "the registry has no .sig beside the snapshot", trust.Options.Threshold, 0, [], sha256)
            : trust.Verify(content, signature, now);
        return decision.IsAccepted
            ? (decision, null)
            : (decision, new SnapshotError(decision.ReasonCode, decision.Detail ?? decision.ReasonCode));
    }
}
