using System.Diagnostics.CodeAnalysis;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// Combines an account's options (the access rule's restriction) with a key's own, which its owner
/// may write themselves (a people/*.keys line, an LDAP sshPublicKey value, a .keys URL). sshd reads
/// the combined line as one: a later flag undoes an earlier one, permitopen entries add up, a second
/// from= or command= breaks the line. So a key may only narrow what the rule allows: each of its
/// options is judged against what the rule alone lets through (<see cref="KeyOptionsEffect"/>), and
/// one that would let more through, or whose narrowing cannot be shown, is refused as
/// <see cref="ReasonCode.OptionWidensRule"/>.
/// </summary>
internal static class OptionMerger
{
    public static bool TryMerge(KeyOptions ruleOptions, KeyOptions keyOptions, [NotNullWhen(true)] out KeyOptions? merged, [NotNullWhen(false)] out Verdict? refusal)
    {
        if (keyOptions.Count == 0)
        {
            // Most keys carry no options of their own: nothing to judge, and nothing to allocate on every sync.
            merged = ruleOptions;
            refusal = null;
            return true;
        }
        var rule = KeyOptionsEffect.Of(ruleOptions);
        var narrowed = keyOptions.Select(o => o.Name).Where(n => n is "permitopen" or "permitlisten").ToHashSet(StringComparer.Ordinal);
        // An option the rule already has adds nothing; a permit list the key gives stands whole (see Combine).
        var added = keyOptions.Where(o => narrowed.Contains(o.Name) || !ruleOptions.Any(r => r == o)).ToList();
        var combined = Combine(ruleOptions, added, narrowed);
        var effect = KeyOptionsEffect.Of(combined);
        foreach (var option in added)
        {
            if (Widening(option, ruleOptions, rule, effect) is { } why)
            {
                merged = null;
                refusal = new Verdict(ReasonCode.OptionWidensRule,
                    $"the key's own option {SafeText.Escape(option.ToString(), 120)} {why}; a key's options may only narrow its access rule's");
                return false;
            }
        }
        merged = new KeyOptions(combined);
        refusal = null;
        return true;
    }

    /// <summary>
    /// The rule's options, then the key's. A key's permitopen (permitlisten) entries, once each is
    /// shown to lie within the rule's, replace the rule's entries: sshd adds entries up, so only
    /// this way does the key's narrower list take effect.
    /// </summary>
    private static List<KeyOption> Combine(KeyOptions ruleOptions, List<KeyOption> added, HashSet<string> narrowed) =>
        [.. ruleOptions.Where(o => !narrowed.Contains(o.Name)), .. added];

    /// <summary>Why the key's option lets more through than the rule alone, or null when it does not.</summary>
    private static string? Widening(KeyOption option, KeyOptions ruleOptions, KeyOptionsEffect rule, KeyOptionsEffect combined)
    {
        switch (option.Name)
        {
            case "from" or "command":
                // None in the rule: the key's own can only narrow. Another one: whether one address
                // list lies within another cannot be decided in general (names, patterns, negation).
                return ruleOptions.ValueOf(option.Name) is { } ruleValue
                    ? $"differs from the rule's {option.Name}=\"{SafeText.Escape(ruleValue, 120)}\""
                    : null;
            case "principals" or "tunnel":
                return "is not the rule's own";
            case "cert-authority":
                return rule.CertAuthority ? null : "turns the key into a certificate authority";
            case "environment":
                return "sets an environment variable the rule does not";
            case "permitopen" or "permitlisten":
                return PermitWidening(option, rule, combined);
            case "no-touch-required":
                return !rule.NoTouchRequired && combined.NoTouchRequired ? "switches off the security-key touch check the rule keeps" : null;
            case "no-verify-required":
                return rule.VerifyRequired && !combined.VerifyRequired ? "switches off the security-key PIN check the rule requires" : null;
        }
        bool permission = option.Value is null && KeyOptionsEffect.Permissions.Contains(option.Name);
        return permission && !rule.Permits(option.Name) && combined.Permits(option.Name)
            ? $"undoes the rule's {(ruleOptions.Contains("no-" + option.Name) ? "no-" + option.Name : "restrict")}"
            : null;
    }

    /// <summary>
    /// sshd forwards nothing without port-forwarding, whatever permitopen says (server_request_direct_tcpip
    /// and server_input_global_request test the flag first), and a rule without entries of the kind
    /// lets any destination through; otherwise each of the key's entries must lie within one of the rule's.
    /// </summary>
    private static string? PermitWidening(KeyOption option, KeyOptionsEffect rule, KeyOptionsEffect combined)
    {
        bool listen = option.Name == "permitlisten";
        var ruleEntries = listen ? rule.PermitListen : rule.PermitOpen;
        if (!combined.Permits("port-forwarding") || ruleEntries.Count == 0 ||
            ruleEntries.Any(r => PermitSpec.Covers(r, option.Value!, listen)))
        {
            return null;
        }
        return $"is not within the rule's {string.Join(",", ruleEntries.Select(e => $"{option.Name}=\"{SafeText.Escape(e, 80)}\""))}";
    }
}
