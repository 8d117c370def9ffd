using System.Security.Authentication;
using KeyAgentd.Configuration;

namespace KeyAgentd.Logging;

/// <summary>
/// Failures the world causes (a full disk, a permission, a damaged state file, the network, TLS,
/// configuration): their message says what is wrong, so they are logged as one line. A stack trace
/// is kept for everything else, which is a bug in keyagentd and what a developer needs.
/// </summary>
public static class ExpectedFailure
{
    public static bool Is(Exception e) => e is IOException or UnauthorizedAccessException or InvalidDataException or SettingsException
        or HttpRequestException or TimeoutException or AuthenticationException;
}
