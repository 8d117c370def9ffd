using KeyAgentd.Core.Keys;
using KeyAgentd.Trust.AllowedSigners;
using KeyAgentd.Trust.Revocation;
using KeyAgentd.Trust.Signatures;

namespace KeyAgentd.Trust.Policy;

/// <summary>
/// Decides whether a snapshot is trusted: each signature block is checked in the order that costs
/// least and says most (shape, namespace, revocation, allowed_signers line, then the signature
/// itself, so an unknown key never costs a verification), and the snapshot is accepted when at least
/// <see cref="SignaturePolicyOptions.Threshold"/> distinct people signed it validly: distinct keys whose
/// allowed_signers principals are pairwise disjoint (<see cref="DistinctSigners"/>).
/// Pure: the verification time, the trust roots and the bytes are all parameters.
/// </summary>
public static class SignaturePolicy
{
    /// <param name="snapshot">The exact snapshot bytes as fetched.</param>
    /// <param name="signatureFile">The .sig file's bytes; empty when there is none.</param>
    public static SignatureDecision Evaluate(ReadOnlySpan<byte> snapshot, ReadOnlySpan<byte> signatureFile,
        AllowedSignersFile allowedSigners, RevokedSigners revokedSigners, SignaturePolicyOptions options, DateTimeOffset verificationTime)
    {
        if (!TryParse(signatureFile, out var blocks, out string? error))
        {
            return Refuse(TrustReason.SignatureMalformed, error, options, [], MessageDigest.Compute(snapshot, sha512: false));
        }
        var digest = MessageDigest.Compute(snapshot, NeedsSha512(blocks));
        return Evaluate(digest, blocks, allowedSigners, revokedSigners, options, verificationTime);
    }

    /// <summary>As above, hashing the snapshot from a stream in one pass (a large snapshot is never copied).</summary>
    public static SignatureDecision Evaluate(Stream snapshot, ReadOnlySpan<byte> signatureFile,
        AllowedSignersFile allowedSigners, RevokedSigners revokedSigners, SignaturePolicyOptions options, DateTimeOffset verificationTime)
    {
        if (!TryParse(signatureFile, out var blocks, out string? error))
        {
            return Refuse(TrustReason.SignatureMalformed, error, options, [], MessageDigest.Compute(snapshot, sha512: false));
        }
        var digest = MessageDigest.Compute(snapshot, NeedsSha512(blocks));
        return Evaluate(digest, blocks, allowedSigners, revokedSigners, options, verificationTime);
    }

    /// <summary>The decision proper, over already-hashed snapshot bytes and already-parsed blocks.</summary>
    public static SignatureDecision Evaluate(MessageDigest digest, IReadOnlyList<SignatureBlock> blocks,
        AllowedSignersFile allowedSigners, RevokedSigners revokedSigners, SignaturePolicyOptions options, DateTimeOffset verificationTime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threshold, 1);
        if (blocks.Count == 0)
        {
            return Refuse(TrustReason.SignatureMissing, "no signature", options, [], digest);
        }
        var verifyOptions = new SignatureVerifyOptions { MinRsaBits = options.MinRsaBits, RequireUserPresence = options.RequireUserPresence };
        var verdicts = new List<SignatureVerdict>(blocks.Count);
        var counted = new List<(SshPublicKey Key, int Index)>();
        for (int i = 0; i < blocks.Count; i++)
        {
            var verdict = Check(i + 1, blocks[i], digest, allowedSigners, revokedSigners, options, verifyOptions, verificationTime);
            if (verdict.IsValid)
            {
                SshPublicKey key = blocks[i].Signature!.PublicKey;
                int earlier = counted.FindIndex(c => c.Key.Equals(key));
                if (earlier < 0)
                {
                    counted.Add((key, i + 1));
                }
                else
                {
                    verdict = verdict with { CountsTowardThreshold = false, Detail = $"same signer key as signature {counted[earlier].Index}; counted once" };
                }
            }
            verdicts.Add(verdict);
        }
        int people = CountPeople(verdicts, counted);
        if (people >= options.Threshold)
        {
            return new SignatureDecision(TrustReason.Accepted, null, options.Threshold, people, verdicts, digest.Sha256Hex);
        }
        if (people == 0)
        {
            var first = verdicts[0];
            return new SignatureDecision(first.Reason, $"signature {first.Index}: {first.Detail}", options.Threshold, 0, verdicts, digest.Sha256Hex);
        }
        return new SignatureDecision(TrustReason.ThresholdNotMet,
            $"{people} distinct signer(s) by allowed_signers principal, {options.Threshold} required", options.Threshold, people, verdicts, digest.Sha256Hex);
    }

    /// <summary>
    /// Among the valid signatures by distinct keys, keeps counting only those of distinct people
    /// (<see cref="DistinctSigners"/>): a key that shares a principal with one counted is marked as not counting.
    /// </summary>
    private static int CountPeople(List<SignatureVerdict> verdicts, List<(SshPublicKey Key, int Index)> distinctKeys)
    {
        var principals = distinctKeys.Select(k => verdicts[k.Index - 1].Principals!).ToList();
        var chosen = DistinctSigners.Choose(principals).Select(c => distinctKeys[c].Index).ToList();
        foreach (var (_, index) in distinctKeys)
        {
            if (chosen.Contains(index))
            {
                continue;
            }
            var verdict = verdicts[index - 1];
            int by = chosen.First(c => DistinctSigners.Shared(verdicts[c - 1].Principals!, verdict.Principals!) is not null);
            verdicts[index - 1] = verdict with
            {
                CountsTowardThreshold = false,
                Detail = $"shares principal {DistinctSigners.Shared(verdicts[by - 1].Principals!, verdict.Principals!)} with signature {by}; one person counts once",
            };
        }
        return chosen.Count;
    }

    private static SignatureVerdict Check(int index, SignatureBlock block, MessageDigest digest, AllowedSignersFile allowedSigners,
        RevokedSigners revokedSigners, SignaturePolicyOptions options, SignatureVerifyOptions verifyOptions, DateTimeOffset verificationTime)
    {
        if (block.Signature is not { } signature)
        {
            return new SignatureVerdict(index, block.Reason, block.Error, null, null, null, null, null, false);
        }
        SshPublicKey key = signature.PublicKey;
        SignatureVerdict Verdict(TrustReason reason, string? detail, string? principals = null) =>
            new(index, reason, detail, key.TypeName, key.Sha256Fingerprint, principals, signature.Namespace, signature.HashName, reason == TrustReason.Accepted);

        if (!string.Equals(signature.Namespace, options.Namespace, StringComparison.Ordinal))
        {
            return Verdict(TrustReason.NamespaceMismatch, $"signed for namespace \"{signature.Namespace}\", expected \"{options.Namespace}\"");
        }
        if (revokedSigners.Contains(key))
        {
            return Verdict(TrustReason.SignerRevoked, "signer key is in the revoked signers");
        }
        // sshsig.c sshsig_check_allowed_keys: the first line for this key whose namespaces and validity
        // window admit the signature wins; if none does, the first line's objection is reported.
        AllowedSigner? match = null;
        (TrustReason Reason, string Detail, string Principals)? objection = null;
        foreach (var line in allowedSigners.ForKey(key))
        {
            var (reason, detail) = Admit(line, signature.Namespace, verificationTime);
            if (reason == TrustReason.Accepted)
            {
                match = line;
                break;
            }
            objection ??= (reason, $"{allowedSigners.Where(line.LineNumber)}: {detail}", line.Principals.Text);
        }
        if (match is null)
        {
            if (objection is { } o)
            {
                return Verdict(o.Reason, o.Detail, o.Principals);
            }
            // A line naming this key that does not parse is the real cause: "not in allowed_signers" would send the operator looking for a missing line.
            string signer = $"signer key {key.Sha256Fingerprint} ({key.TypeName})";
            return allowedSigners.Errors.FirstOrDefault(e => key.Equals(e.Key)) is { } broken
                ? Verdict(TrustReason.SignerLineInvalid, $"{signer} is listed on {allowedSigners.Where(broken.LineNumber)}, which grants nothing: {broken.Message}")
                : Verdict(TrustReason.SignerUnknown, $"{signer} is not in allowed_signers{UnreadableLines(allowedSigners)}");
        }
        var check = SshSignatureVerifier.Verify(signature, digest, verifyOptions);
        return check.IsValid
            ? Verdict(TrustReason.Accepted, null, match.Principals.Text)
            : Verdict(TrustReason.SignatureInvalid, check.Error, match.Principals.Text);
    }

    /// <summary>Lines whose key did not decode could be any signer's, this one's included: named beside "not in allowed_signers".</summary>
    private static string UnreadableLines(AllowedSignersFile allowedSigners)
    {
        var unreadable = allowedSigners.Errors.Where(e => e.Key is null && e.LineNumber > 0).Take(3).ToList();
        return unreadable.Count == 0
            ? ""
            : $"; {string.Join("; ", unreadable.Select(e => $"{allowedSigners.Where(e.LineNumber)} grants nothing ({e.Message})"))}";
    }

    private static (TrustReason Reason, string Detail) Admit(AllowedSigner line, string @namespace, DateTimeOffset when)
    {
        if (!line.AllowsNamespace(@namespace))
        {
            return (TrustReason.NamespaceMismatch, $"key is not permitted for namespace \"{@namespace}\"");
        }
        return line.CheckTime(when) switch
        {
            TrustReason.SignerNotYetValid => (TrustReason.SignerNotYetValid, $"key is not valid before {line.ValidAfter:u}"),
            TrustReason.SignerExpired => (TrustReason.SignerExpired, $"key expired at {line.ValidBefore:u}"),
            _ => (TrustReason.Accepted, ""),
        };
    }

    private static bool TryParse(ReadOnlySpan<byte> signatureFile, out IReadOnlyList<SignatureBlock> blocks, out string? error)
    {
        try
        {
            blocks = SshSignatureParser.ParseFile(signatureFile);
            error = null;
            return true;
        }
        catch (SignatureFormatException ex)
        {
            blocks = [];
            error = ex.Message;
            return false;
        }
    }

    private static bool NeedsSha512(IReadOnlyList<SignatureBlock> blocks) =>
        blocks.Any(b => b.Signature?.Hash == SshSignatureHash.Sha512);

    private static SignatureDecision Refuse(TrustReason reason, string? detail, SignaturePolicyOptions options, IReadOnlyList<SignatureVerdict> verdicts, MessageDigest digest) =>
        new(reason, detail, options.Threshold, 0, verdicts, digest.Sha256Hex);
}
