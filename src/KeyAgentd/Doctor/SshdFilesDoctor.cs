using KeyAgentd.Accounts;
using KeyAgentd.Configuration;
using KeyAgentd.Storage;

namespace KeyAgentd.Doctor;

/// <summary>
/// The files sshd's effective configuration (`sshd -T` for the user) points at, judged as sshd will
/// use them at the next login: a RevokedKeys file that is missing locks out EVERY public key on the
/// host (sshd logs "Error checking authentication key … in revoked keys file"), an
/// AuthorizedKeysCommand that is missing or fails sshd's safe_path rule yields no key, and a file in
/// AuthorizedKeysFile that others can write is ignored under StrictModes. Each problem is a FAIL with a
/// <see cref="DoctorCodes"/> code, what sshd does about it and the fix. Reads only.
/// </summary>
internal static class SshdFilesDoctor
{
    private const int KrlMaxBytes = 64 * 1024 * 1024;
    private const int CommandMaxBytes = 256 * 1024 * 1024;
    private const int KeysFileMaxBytes = 8 * 1024 * 1024;

    public static void Examine(DoctorReport report, KeyAgentdSettings settings, AccountInfo account, IReadOnlyDictionary<string, string> sshd)
    {
        ExamineRevokedKeys(report, settings, sshd.GetValueOrDefault("revokedkeys", "none"));
        ExamineCommand(report, sshd.GetValueOrDefault("authorizedkeyscommand", "none"));
        ExamineKeysFiles(report, settings, account, sshd.GetValueOrDefault("authorizedkeysfile", "none"), sshd.GetValueOrDefault("authorizedkeyscommand", "none"));
    }

    private static void ExamineRevokedKeys(DoctorReport report, KeyAgentdSettings settings, string path)
    {
        string ours = settings.Sshd.ResolveRevokedKeysFile(settings.State);
        if (path == "none")
        {
            report.Info($"revokedkeys none: a key the registry revokes is refused only where keyagentd delivers it (the drop-in's RevokedKeys {ours} makes sshd refuse it everywhere)");
            return;
        }
        if (!File.Exists(path))
        {
            report.Fail($"{DoctorCode.KrlMissing.ToCode()}: RevokedKeys {path} does not exist: sshd refuses EVERY public key on this host (root's and unmanaged accounts' too)");
            report.Detail($"sshd logs: \"Error checking authentication key … in revoked keys file {path}: No such file or directory\"");
            report.Detail(path == ours
                ? "fix: keyagentd sync (writes it, empty while no snapshot is usable), or: ssh-keygen -k -f " + path + " /dev/null"
                : $"fix: point RevokedKeys at {ours} (Sshd:RevokedKeysFile), or create the file: ssh-keygen -k -f {path} /dev/null");
            return;
        }
        byte[] content;
        try
        {
            // Whoever can rewrite the KRL can un-revoke a key; sshd itself does not check its owner.
            content = TrustedFile.Read(path, "RevokedKeys", KrlMaxBytes, allowEmpty: true, euid: 0);
        }
        catch (UnsafeFileException e)
        {
            report.Fail($"{DoctorCode.KrlUnsafe.ToCode()}: {e.Message}");
            report.Detail("whoever can replace this file can lift a revocation (an unreadable one makes sshd refuse every key)");
            return;
        }
        bool krl = content.Length >= 8 && System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(content) == Trust.Revocation.KrlWriter.Magic;
        report.Ok($"revokedkeys {path} ({(krl ? "a KRL" : "not a KRL: sshd reads it as a list of public keys")}, {content.Length} bytes)");
        if (path != ours)
        {
            report.Warn($"{DoctorCode.KrlElsewhere.ToCode()}: sshd reads revocations from {path}, keyagentd writes them to {ours} (Sshd:RevokedKeysFile): the registry's revoked list does not reach sshd");
        }
    }

    private static void ExamineCommand(DoctorReport report, string commandLine)
    {
        if (commandLine == "none")
        {
            return;
        }
        string command = commandLine.Split(' ', 2)[0];
        if (!command.StartsWith('/'))
        {
            report.Fail($"{DoctorCode.CommandUnsafe.ToCode()}: AuthorizedKeysCommand {command} is not an absolute path: sshd refuses to run it, so it yields no key");
            return;
        }
        if (!File.Exists(command))
        {
            report.Fail($"{DoctorCode.CommandMissing.ToCode()}: AuthorizedKeysCommand {command} does not exist: sshd gets no key from it (keys in AuthorizedKeysFile still work)");
            report.Detail("fix: install the package that ships it, or remove the drop-in that names it");
            return;
        }
        try
        {
            TrustedFile.Read(command, "AuthorizedKeysCommand", CommandMaxBytes, allowEmpty: false, euid: 0);
        }
        catch (UnsafeFileException e)
        {
            report.Fail($"{DoctorCode.CommandUnsafe.ToCode()}: {e.Message}");
            report.Detail("sshd (safe_path) refuses to run a command that is not root-owned or whose path others can write: it yields no key");
            return;
        }
        if (Mono.Unix.Native.Syscall.stat(command, out var st) == 0 && (Posix.PermissionBits(st) & 0b001_001_001) == 0)
        {
            report.Fail($"{DoctorCode.CommandMissing.ToCode()}: AuthorizedKeysCommand {command} is not executable: sshd gets no key from it");
            report.Detail($"fix: chmod 0755 {command}");
            return;
        }
        report.Ok($"authorizedkeyscommand {command}: root-owned, path safe for sshd");
    }

    private static void ExamineKeysFiles(DoctorReport report, KeyAgentdSettings settings, AccountInfo account, string files, string commandLine)
    {
        string[] entries = files.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (entries.All(e => e == "none"))
        {
            if (settings.Delivery.AuthorizedKeysFiles && Path.GetFileName(commandLine.Split(' ', 2)[0]) == "keyagentd-keys")
            {
                // The helper serves the same keys from its cache, so logins work; the files are written for nothing.
                report.Warn($"{DoctorCode.KeysFileUnread.ToCode()}: AuthorizedKeysFile none: sshd reads {account.Name}'s keys only from keyagentd-keys, never the ~/.ssh/authorized_keys keyagentd writes (Delivery:AuthorizedKeysFiles true)");
                report.Detail("fix: set Delivery:AuthorizedKeysFiles to false to stop writing files sshd does not read");
            }
            else if (settings.Delivery.AuthorizedKeysFiles)
            {
                report.Fail($"{DoctorCode.KeysFileUnread.ToCode()}: AuthorizedKeysFile none, but keyagentd delivers keys in ~/.ssh/authorized_keys (Delivery:AuthorizedKeysFiles true): sshd never reads them");
                report.Detail("fix: set Delivery:AuthorizedKeysFiles to false (keys then come from keyagentd-keys), or remove \"AuthorizedKeysFile none\"");
            }
            return;
        }
        string inspected = Path.Combine(account.Home, ".ssh", "authorized_keys");
        foreach (string entry in entries.Where(e => e != "none"))
        {
            string path = Expand(entry, account);
            if (path == inspected)
            {
                continue; // judged above, component by component, as StrictModes sees it
            }
            if (!File.Exists(path))
            {
                report.Info($"{path}: absent");
                continue;
            }
            try
            {
                TrustedFile.Read(path, "AuthorizedKeysFile", KeysFileMaxBytes, allowEmpty: true, euid: account.Uid);
                report.Ok($"{path}: owner and modes as StrictModes requires");
            }
            catch (UnsafeFileException e)
            {
                report.Fail($"{DoctorCode.KeysFileUnsafe.ToCode()}: {e.Message}");
                report.Detail("sshd (StrictModes) ignores a keys file others could have written: no key in it works");
            }
        }
    }

    /// <summary>sshd's expansion of an AuthorizedKeysFile entry (%% %h %u %U; relative to the home directory).</summary>
    internal static string Expand(string entry, AccountInfo account)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < entry.Length; i++)
        {
            if (entry[i] != '%' || i + 1 == entry.Length)
            {
                text.Append(entry[i]);
                continue;
            }
            i++;
            text.Append(entry[i] switch
            {
                'h' => account.Home,
                'u' => account.Name,
                'U' => account.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                '%' => "%",
                char other => "%" + other,
            });
        }
        string path = text.ToString();
        return path.StartsWith('/') ? path : Path.Combine(account.Home, path);
    }
}
