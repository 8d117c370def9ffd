using System.CommandLine;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd fingerprint FILE|-`: for every key line, what `ssh-keygen -l -f FILE` prints,
/// byte for byte: "BITS FINGERPRINT COMMENT (TYPE)". Like ssh-keygen, lines it cannot read are
/// skipped (options are not judged), RSA keys under 1024 bits are skipped as OpenSSH refuses to
/// load them, and a file with no key at all is an error. One deliberate difference: control
/// characters in a comment are shown escaped, where ssh-keygen prints them raw to the terminal.
/// With -L, what `ssh-keygen -L -f FILE` prints for every certificate in the file (<see cref="SshCertificateText"/>),
/// with the same difference for the texts a certificate carries.
/// </summary>
internal static class FingerprintCommand
{
    /// <summary>OpenSSH's SSH_RSA_MINIMUM_MODULUS_SIZE: smaller keys fail sshkey_read.</summary>
    private const int OpenSshRsaFloor = 1024;

    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "authorized_keys-style file, or - for standard input" };
        var hash = new Option<string>("-E") { Description = "fingerprint hash: sha256 (default) or md5", DefaultValueFactory = _ => "sha256" };
        hash.AcceptOnlyFromAmong("sha256", "md5");
        var certificates = new Option<bool>("-L") { Description = "describe each certificate as ssh-keygen -L does (type, CA, key ID, serial, principals, validity, options)" };
        var command = new Command("fingerprint", "print each key's fingerprint exactly as ssh-keygen -l does (-L: certificates as ssh-keygen -L)") { file, hash, certificates };
        command.SetAction(parse =>
        {
            // Buffered: Console.Out flushes on every write, which cost more than fingerprinting a key.
            using var stdout = new StreamWriter(Console.OpenStandardOutput(), Console.OutputEncoding, 1 << 16);
            return parse.GetValue(certificates)
                ? RunCertificates(parse.GetValue(file)!, parse.GetValue(hash) == "md5", TimeZoneInfo.Local, stdout, Console.Error)
                : Run(parse.GetValue(file)!, parse.GetValue(hash) == "md5", stdout, Console.Error);
        });
        return command;
    }

    /// <summary>
    /// Reads, parses and prints one line at a time: memory stays flat however long the input is
    /// (there is no size cap, unlike the commands that keep the whole file).
    /// </summary>
    public static int Run(string path, bool md5, TextWriter stdout, TextWriter stderr)
    {
        int keys = 0;
        try
        {
            using TextReader reader = InputFile.OpenText(path);
            int number = 0;
            foreach (string text in LineReader.ReadLines(reader))
            {
                var line = AuthorizedKeyLineParser.Parse(text, ++number);
                if (line.Key is not { } key || (key.Type.Algorithm == SshKeyAlgorithm.Rsa && key.Bits < OpenSshRsaFloor))
                {
                    continue;
                }
                keys++;
                stdout.Write(key.Bits);
                stdout.Write(' ');
                stdout.Write(md5 ? key.Md5Fingerprint : key.Sha256Fingerprint);
                stdout.Write(' ');
                stdout.Write(string.IsNullOrEmpty(line.Comment) ? "no comment" : SafeText.Escape(line.Comment));
                stdout.Write(" (");
                stdout.Write(key.Type.DisplayName);
                stdout.Write(")\n");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stdout.Flush();
            stderr.WriteLine($"keyagentd: {SafeText.Escape(path)}: {SafeText.Escape(e.Message)}");
            return ExitCodes.Failed;
        }
        stdout.Flush();
        if (keys == 0)
        {
            stderr.WriteLine($"{SafeText.Escape(path)} is not a public key file.");
            return ExitCodes.Failed;
        }
        return ExitCodes.Ok;
    }

    /// <summary>
    /// ssh-keygen.c do_show_cert: a "FILE:" header ("FILE:LINE:" past the first line, "(stdin)" for -),
    /// then the certificate; a key that is no certificate and a line that is no key are reported on
    /// stderr and skipped; no certificate at all is exit 1.
    /// </summary>
    public static int RunCertificates(string path, bool md5, TimeZoneInfo zone, TextWriter stdout, TextWriter stderr)
    {
        bool stdin = path == "-";
        string shown = stdin ? "(stdin)" : SafeText.Escape(path);
        int certificates = 0;
        try
        {
            using TextReader reader = InputFile.OpenText(path);
            int number = 0;
            foreach (string text in LineReader.ReadLines(reader))
            {
                number++;
                string trimmed = text.TrimStart(' ', '\t');
                if (trimmed.Length == 0 || trimmed[0] == '#')
                {
                    continue;
                }
                var line = AuthorizedKeyLineParser.Parse(text, number);
                if (line.Key is not { } key)
                {
                    stderr.WriteLine($"{shown}:{number}: invalid key: {SafeText.Escape(line.ErrorMessage ?? "invalid format")}");
                    continue;
                }
                if (!key.Type.IsCertificate)
                {
                    stderr.WriteLine($"{shown}:{number} is not a certificate");
                    continue;
                }
                certificates++;
                stdout.Write(!stdin && number == 1 ? $"{shown}:\n" : $"{shown}:{number}:\n");
                foreach (string description in SshCertificateText.Describe(key, zone, md5))
                {
                    stdout.Write(description);
                    stdout.Write('\n');
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stdout.Flush();
            stderr.WriteLine($"keyagentd: {shown}: {SafeText.Escape(e.Message)}");
            return ExitCodes.Failed;
        }
        stdout.Flush();
        return certificates == 0 ? ExitCodes.Failed : ExitCodes.Ok;
    }
}
