using KeyAgentd.Core.Keys;

namespace KeyAgentd.Trust.AllowedSigners;

/// <summary>One valid line of an allowed_signers file (ssh-keygen(1) ALLOWED SIGNERS).</summary>
public sealed class AllowedSigner
{
    internal AllowedSigner(int lineNumber, PatternList principals, SshPublicKey key, PatternList? namespaces, DateTimeOffset? validAfter, DateTimeOffset? validBefore)
    {
        LineNumber = lineNumber;
        Principals = principals;
        Key = key;
        Namespaces = namespaces;
        ValidAfter = validAfter;
        ValidBefore = validBefore;
    }

    public int LineNumber { get; }

    public PatternList Principals { get; }

    public SshPublicKey Key { get; }

    /// <summary>The namespaces="…" patterns; null allows every namespace, as in sshsig.c.</summary>
    public PatternList? Namespaces { get; }

    public DateTimeOffset? ValidAfter { get; }

    public DateTimeOffset? ValidBefore { get; }

    public bool AllowsNamespace(string @namespace) => Namespaces is null || Namespaces.Matches(@namespace);

    /// <summary>
    /// sshsig.c check_allowed_keys_line: not yet valid before valid-after, expired after valid-before;
    /// both bounds inclusive, compared in whole seconds as OpenSSH compares time_t values.
    /// </summary>
    public TrustReason CheckTime(DateTimeOffset when)
    {
        long seconds = when.ToUnixTimeSeconds();
        if (ValidAfter is { } after && seconds < after.ToUnixTimeSeconds())
        {
            return TrustReason.SignerNotYetValid;
        }
        if (ValidBefore is { } before && seconds > before.ToUnixTimeSeconds())
        {
            return TrustReason.SignerExpired;
        }
        return TrustReason.Accepted;
    }
}
