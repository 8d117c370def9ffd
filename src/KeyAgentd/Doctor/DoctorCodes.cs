using KeyAgentd.Core.Codes;

namespace KeyAgentd.Doctor;

/// <summary>The stable spellings of <see cref="DoctorCode"/>; never rename one.</summary>
public static class DoctorCodes
{
    public static readonly CodeCatalogue<DoctorCode> Catalogue = new(
        (DoctorCode.KrlMissing, "sshd-krl-missing"),
        (DoctorCode.KrlUnsafe, "sshd-krl-unsafe"),
        (DoctorCode.KrlElsewhere, "sshd-krl-elsewhere"),
        (DoctorCode.CommandMissing, "sshd-command-missing"),
        (DoctorCode.CommandUnsafe, "sshd-command-unsafe"),
        (DoctorCode.KeysFileUnsafe, "sshd-keys-file-unsafe"),
        (DoctorCode.KeysFileUnread, "sshd-keys-file-unread"),
        (DoctorCode.LastSyncFailed, "last-sync-failed"),
        (DoctorCode.SyncOverdue, "sync-overdue"),
        (DoctorCode.NeverSynced, "never-synced"));

    public static string ToCode(this DoctorCode code) => Catalogue.ToCode(code);
}
