namespace KeyAgentd.Core.AuthorizedKeys;

/// <summary>
/// A certificate principal as sshd matches it: exactly, as one item of the comma-separated
/// <c>principals="…"</c> list (auth2-pubkey.c match_principals_option, through match_list) or as one
/// line of an AuthorizedPrincipalsFile (process_principals, after the options and blanks). A name
/// that would be split, cut short or read as something else there is refused, not escaped: sshd has
/// no escape for a comma in the list or for blanks in a principals file.
/// </summary>
public static class CertificatePrincipal
{
    /// <summary>Far above any login or e-mail principal; bounds what one grant can put on a line.</summary>
    public const int MaxLength = 255;

    /// <summary>Null when sshd would match the name as written; otherwise why it would not.</summary>
    public static string? Problem(string principal)
    {
        if (principal.Length == 0)
        {
            return "an empty principal";
        }
        if (principal.Length > MaxLength)
        {
            return $"a principal longer than {MaxLength} characters";
        }
        foreach (char c in principal)
        {
            string? why = c switch
            {
                ',' => "a comma (sshd splits principals=\"…\" at commas)",
                '"' => "a double quote (it would end principals=\"…\")",
                '\\' => "a backslash (sshd unescapes it inside principals=\"…\")",
                _ when SafeText.IsControl(c) => "a control character",
                _ when char.IsWhiteSpace(c) => "white space (a principals file line ends a name at a blank)",
                _ => null,
            };
            if (why is not null)
            {
                return $"\"{SafeText.Escape(principal, 80)}\" contains {why}";
            }
        }
        // A principals file line starting with '#' is a comment to sshd.
        return principal[0] == '#' ? $"\"{SafeText.Escape(principal, 80)}\" starts with '#' (a comment in a principals file)" : null;
    }
}
