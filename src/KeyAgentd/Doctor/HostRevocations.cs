using KeyAgentd.Core.Snapshot;
using KeyAgentd.State;

namespace KeyAgentd.Doctor;

/// <summary>
/// The revocations the host holds: those of its last-known-good snapshot, the document its KRL at
/// Sshd:RevokedKeysFile was written from (<see cref="Revocation.RevokedKeysList.Build"/>), so doctor
/// judges a certificate by the same entries sshd's RevokedKeys check reads. No snapshot yet: nothing
/// is revoked (the KRL is the empty one). A snapshot that cannot be read: <see cref="Problem"/>, and
/// no revocation verdict is given rather than a wrong "not revoked".
/// </summary>
internal sealed record HostRevocations(Revocations? Held, string? Problem)
{
    public static HostRevocations Read(StateStore state)
    {
        byte[]? content;
        try
        {
            content = state.LoadSnapshot();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return new HostRevocations(null, $"the last-known-good snapshot cannot be read: {e.Message}");
        }
        if (content is null)
        {
            return new HostRevocations(Revocations.None, null);
        }
        return RegistrySnapshotParser.TryParse(content, out var snapshot, out var error)
            ? new HostRevocations(Revocations.From(snapshot), null)
            : new HostRevocations(null, $"the last-known-good snapshot does not parse: {error.Code}: {error.Message}");
    }
}
