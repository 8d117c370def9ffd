using KeyAgentd.Storage;
using Mono.Unix.Native;

namespace KeyAgentd.State;

/// <summary>
/// The one place that creates the state directory and keys/ inside it, so its mode no longer
/// depends on which code happens to create it first.
/// </summary>
/// <remarks>
/// 0755, not 0750: keyagentd-keys runs as sshd's AuthorizedKeysCommandUser (an unprivileged user
/// such as keyagentd or nobody, never in root's group) and opens state-dir/keys/&lt;user&gt;, so it
/// must be able to pass through both directories. Under 0750 it would find no keys and every
/// helper-only login would fail. What must stay private is kept so by each file's own mode
/// (snapshot.json and sync.lock 0600, managed-accounts.json and audit.head 0640); what the helper
/// reads is public keys (keys/&lt;user&gt; 0644). The unit's StateDirectoryMode and the package's
/// postinst say 0755 too. A directory that already exists is left as it is: its mode is then the
/// administrator's choice.
/// </remarks>
internal static class StateDirectory
{
    public const FilePermissions Mode = Posix.Mode0755;

    /// <summary>Creates <paramref name="directory"/> (and missing parents) with <see cref="Mode"/>, whatever the umask.</summary>
    /// <exception cref="PosixException">mkdir or chmod failed.</exception>
    public static void Create(string directory) => Posix.CreateDirectories(directory, Mode);
}
