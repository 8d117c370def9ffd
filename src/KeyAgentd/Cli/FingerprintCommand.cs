using System.CommandLine;
using System.Text;
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
        var command = new Command("fingerprint", "print each key's fingerprint exactly as ssh-keygen -l does") { file, hash };
        command.SetAction(parse => Run(parse.GetValue(file)!, parse.GetValue(hash) == "md5", Console.Out, Console.Error));
        return command;
    }

    public static int Run(string path, bool md5, TextWriter stdout, TextWriter stderr)
    {
        if (!InputFile.TryReadAll(path, stderr, out string? text))
        {
            return ExitCodes.Failed;
        }
        var output = new StringBuilder(text.Length / 4);
        int keys = 0;
        foreach (var line in AuthorizedKeyLineParser.ParseAll(text))
        {
            if (line.Key is not { } key || (key.Type.Algorithm == SshKeyAlgorithm.Rsa && key.Bits < OpenSshRsaFloor))
            {
                continue;
            }
            keys++;
            output.Append(key.Bits).Append(' ')
                .Append(md5 ? key.Md5Fingerprint : key.Sha256Fingerprint).Append(' ')
                .Append(string.IsNullOrEmpty(line.Comment) ? "no comment" : SafeText.Escape(line.Comment))
                .Append(" (").Append(key.Type.DisplayName).Append(")\n");
        }
        if (keys == 0)
        {
            stderr.WriteLine($"{SafeText.Escape(path)} is not a public key file.");
            return ExitCodes.Failed;
        }
        stdout.Write(output.ToString());
        stdout.Flush();
        return ExitCodes.Ok;
    }
}
