using KeyAgentd.Core;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Configuration;

/// <summary>
/// Accounts:BreakGlass lines are the way in when the registry is wrong, so one that sshd could not
/// use (the packaged example's placeholder, a damaged paste, a private key) must not be noticed
/// only on the day it is needed: it is a settings error at load, naming the account, the line and why.
/// Comments are allowed; the policy is not applied (as in the planner, which still keeps out a revoked key).
/// </summary>
internal static class BreakGlassSettings
{
    public static void Validate(AccountsSettings accounts)
    {
        foreach (var (user, lines) in accounts.BreakGlass)
        {
            for (int i = 0; i < lines.Length; i++)
            {
                var line = AuthorizedKeyLineParser.Parse(lines[i] ?? "", i + 1);
                if (line.Kind is AuthorizedKeyLineKind.Key or AuthorizedKeyLineKind.Comment or AuthorizedKeyLineKind.Blank)
                {
                    continue;
                }
                string code = (line.Error ?? ReasonCode.MissingKey).ToCode();
                throw new SettingsException(
                    $"Accounts:BreakGlass:{SafeText.Escape(user, 64)} line {i + 1} is not a key sshd could use ({code}: {SafeText.Escape(line.ErrorMessage ?? "", 120)}): " +
                    "put the break-glass public key there (the single line of its .pub file), or remove the line",
                    key: $"Accounts:BreakGlass:{user}:{i}");
            }
        }
    }
}
