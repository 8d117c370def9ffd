using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Source;

/// <summary>The fix to tell a key's owner for each reason the daemon would refuse the key.</summary>
internal static class KeyFixes
{
    /// <summary>A revoked or expired key simply never reaches a host: worth cleaning up, not worth failing CI over.</summary>
    public static bool IsWarning(ReasonCode reason) => reason is ReasonCode.Revoked or ReasonCode.Expired;

    public static string For(ReasonCode reason) => reason switch
    {
        ReasonCode.PrivateKey => "this is a PRIVATE key: delete it from the repository (and its history), treat it as compromised, and add the .pub file's single line instead",
        ReasonCode.DsaNotAllowed or ReasonCode.RsaTooSmall or ReasonCode.KeyTypeNotAllowed =>
            "generate a new key (ssh-keygen -t ed25519) and replace this line with the new .pub line",
        ReasonCode.CertificateNotAllowed => "add the plain public key (the .pub without -cert), not the certificate",
        ReasonCode.BadBase64 or ReasonCode.TruncatedBlob or ReasonCode.TrailingBytes or ReasonCode.InvalidKey or ReasonCode.TypeMismatch =>
            "the key was damaged when copied: paste the whole .pub line again (ssh-keygen -y -f KEY prints it)",
        ReasonCode.UnknownKeyType or ReasonCode.MissingKey => "each line must be one OpenSSH public key: TYPE BASE64 [COMMENT]",
        ReasonCode.NeedsConversion => "convert it with ssh-keygen -i -f FILE (or keyagentd import FILE) and paste the one-line result",
        ReasonCode.OptionNotAllowed => "remove the option, or allow it in Policy:AllowedOptions on every host",
        ReasonCode.OptionWidensRule =>
            "remove the option from the key line (a key may only restrict further: no-pty and the other no-* permissions, restrict, from= where the rule has none, an earlier expiry-time, permitopen within the rule's), or widen the rule in access.yaml if the access is meant",
        ReasonCode.MalformedOptions => "write options as sshd does: name or name=\"value\", comma-separated, no spaces",
        ReasonCode.ControlCharacter or ReasonCode.LineTooLong => "remove the stray characters; a key is one line of printable text",
        ReasonCode.Revoked => "the key is on the revoked list: remove this line",
        ReasonCode.Expired => "not_after has passed: remove the line or give it a new not_after",
        ReasonCode.InvalidAccountName => "use a login name: 1-32 of A-Z a-z 0-9 _ . -, not starting with '.' or '-'",
        ReasonCode.InvalidPrincipal => "name principals as the CA signs them (ssh-keygen -n): no commas, quotes, backslashes, blanks or control characters; set a person's principal=NAME in people/<person>.keys",
        ReasonCode.UnknownPerson => "add people/<name>.keys or fix the spelling",
        _ => "fix the key line",
    };
}
