using KeyAgentd.Trust.Root;

namespace KeyAgentd.RootRotation;

/// <summary>
/// One key named on the command line: `PRINCIPAL=KEYFILE.pub` for a root key, and for a snapshot signer
/// `PRINCIPALS=KEYFILE.pub[,valid-after=DATE][,valid-before=DATE]` (PRINCIPALS comma-separated, as in
/// allowed_signers). Only the text is read here; <see cref="RootKeyFile"/> reads the key.
/// </summary>
internal sealed record RootKeySpec(string Principals, string KeyFile, DateTimeOffset? ValidAfter, DateTimeOffset? ValidBefore)
{
    /// <param name="window">a snapshot signer: principals may be several, and a validity window may follow</param>
    /// <exception cref="RootRefusedException">The text is not of that form, or a principal is not a valid name.</exception>
    public static RootKeySpec Parse(string text, bool window)
    {
        string form = window ? "PRINCIPALS=KEYFILE.pub[,valid-after=DATE][,valid-before=DATE]" : "PRINCIPAL=KEYFILE.pub";
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || equals == text.Length - 1)
        {
            throw new RootRefusedException(RootRefusal.ChangeInvalid, $"\"{text}\" is not {form}");
        }
        string principals = text[..equals];
        string[] rest = text[(equals + 1)..].Split(',');
        foreach (string principal in principals.Split(','))
        {
            try
            {
                TrustRootRules.CheckPrincipal(principal, $"\"{text}\"");
            }
            catch (TrustRootFormatException e)
            {
                throw new RootRefusedException(RootRefusal.ChangeInvalid, e.Message);
            }
        }
        if (!window && principals.Contains(',', StringComparison.Ordinal))
        {
            throw new RootRefusedException(RootRefusal.ChangeInvalid, $"\"{text}\": a root key belongs to one principal (one person, one vote)");
        }
        DateTimeOffset? after = null;
        DateTimeOffset? before = null;
        foreach (string option in rest.Skip(1))
        {
            if (window && option.StartsWith("valid-after=", StringComparison.Ordinal))
            {
                after = RootExpiry.ParseDate(option["valid-after=".Length..], "valid-after");
            }
            else if (window && option.StartsWith("valid-before=", StringComparison.Ordinal))
            {
                before = RootExpiry.ParseDate(option["valid-before=".Length..], "valid-before");
            }
            else
            {
                throw new RootRefusedException(RootRefusal.ChangeInvalid, $"\"{text}\" is not {form}: \"{option}\" is not understood");
            }
        }
        return new RootKeySpec(principals, rest[0], after, before);
    }
}
