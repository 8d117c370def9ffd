using KeyAgentd.Core;
using KeyAgentd.Core.Keys;
using KeyAgentd.Trust.Policy;

namespace KeyAgentd.Trust.Root;

/// <summary>
/// What makes a root usable. Structural rules hold for every root a host reads (a root whose thresholds
/// no set of its own signers could meet would end the chain: no successor could ever be signed);
/// <see cref="CheckPublishable"/> adds what the registry side must refuse to produce: a root already
/// expired, or one that lives longer than <see cref="MaxLifetime"/>.
/// </summary>
public static class TrustRootRules
{
    /// <summary>
    /// Two years: long enough that the offline root holders meet a few times a year, short enough that a
    /// forgotten root cannot stay trusted for a decade (TUF's reference client uses one year for root).
    /// </summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(730);

    /// <summary>The most root versions one cycle walks: a host offline for years catches up over a few cycles, and a hostile server cannot keep it walking.</summary>
    public const int MaxVersionsPerWalk = 32;

    /// <exception cref="TrustRootFormatException">A rule is broken.</exception>
    public static void CheckStructure(TrustRootDocument root)
    {
        if (root.RootKeys.Count == 0)
        {
            throw new TrustRootFormatException("root.keys is empty: nobody could sign the next root");
        }
        Distinct(root.RootKeys.Select(k => k.Key), "root.keys");
        int rootPeople = root.RootKeys.Select(k => k.Principal).Distinct(StringComparer.Ordinal).Count();
        if (root.RootThreshold > rootPeople)
        {
            throw new TrustRootFormatException($"root.threshold is {root.RootThreshold} but root.keys name {rootPeople} distinct principal(s): no successor could ever be signed");
        }
        if (root.SnapshotSigners.Count == 0)
        {
            throw new TrustRootFormatException("snapshot.signers is empty: no snapshot could be signed");
        }
        Distinct(root.SnapshotSigners.Select(s => s.Key), "snapshot.signers");
        int signerPeople = DistinctSigners.Choose([.. root.SnapshotSigners.Select(s => s.Principals)]).Count;
        if (root.SnapshotThreshold > signerPeople)
        {
            throw new TrustRootFormatException($"snapshot.threshold is {root.SnapshotThreshold} but snapshot.signers give at most {signerPeople} distinct principal(s)");
        }
        foreach (var (signer, i) in root.SnapshotSigners.Select((s, i) => (s, i)))
        {
            if (signer.ValidAfter is { } after && signer.ValidBefore is { } before && after >= before)
            {
                throw new TrustRootFormatException($"snapshot.signers[{i}]: valid_after is not before valid_before");
            }
        }
    }

    /// <summary>The registry side's rules on top of the structure: refuse to produce a root that is expired or lives too long.</summary>
    /// <returns>Why the root may not be published; empty when it may.</returns>
    public static IReadOnlyList<string> CheckPublishable(TrustRootDocument root, DateTimeOffset now)
    {
        var problems = new List<string>();
        try
        {
            CheckStructure(root);
        }
        catch (TrustRootFormatException e)
        {
            problems.Add(e.Message);
        }
        if (root.ExpiresAt <= now)
        {
            problems.Add($"expires_at {root.ExpiresAt:u} is not in the future");
        }
        else if (root.ExpiresAt - now > MaxLifetime)
        {
            problems.Add($"expires_at {root.ExpiresAt:u} is more than {MaxLifetime.TotalDays:0} days away (the most a root may live)");
        }
        return problems;
    }

    /// <summary>
    /// One name sshd, ssh-keygen and a reader all see the same way: printable ASCII without whitespace,
    /// commas, quotes or the pattern characters '*', '?', '!' (a wildcard principal would be "anyone"
    /// when counting distinct people).
    /// </summary>
    public static void CheckPrincipal(string principal, string where)
    {
        if (principal.Length is 0 or > 128
            || principal.Any(c => c is <= ' ' or >= (char)0x7f or ',' or '"' or '\'' or '*' or '?' or '!' or '\\'))
        {
            throw new TrustRootFormatException($"{where}: \"{SafeText.Escape(principal, 80)}\" is not a principal name (1-128 printable characters, no spaces, commas, quotes or * ? !)");
        }
    }

    /// <summary>The signer rules snapshots already follow: no certificates, no DSA, RSA of at least Policy:MinRsaBits.</summary>
    public static void CheckSignerKey(SshPublicKey key, string where, int minRsaBits)
    {
        if (key.Type.IsCertificate)
        {
            throw new TrustRootFormatException($"{where} is a certificate ({key.TypeName}); a root names plain keys");
        }
        if (key.TypeName == SshKeyType.Dss)
        {
            throw new TrustRootFormatException($"{where} is a DSA key, which OpenSSH no longer verifies");
        }
        if (key.TypeName == SshKeyType.Rsa && key.Bits < minRsaBits)
        {
            throw new TrustRootFormatException($"{where} is a {key.Bits}-bit RSA key; at least {minRsaBits} bits are required");
        }
    }

    private static void Distinct(IEnumerable<SshPublicKey> keys, string where)
    {
        var seen = new HashSet<SshPublicKey>();
        foreach (var key in keys)
        {
            if (!seen.Add(key))
            {
                throw new TrustRootFormatException($"{where} lists {key.Sha256Fingerprint} twice");
            }
        }
    }
}
