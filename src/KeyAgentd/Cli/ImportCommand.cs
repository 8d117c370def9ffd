using System.CommandLine;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd import FILE|-`: prints every key of the file as one OpenSSH line, converting RFC 4716
/// blocks (PuTTYgen) and wrapped keys; lines that are not keys are reported on stderr. A control
/// character in a line (a comment can hold C1 controls, which sshd accepts) is printed escaped:
/// the output goes to a terminal first. A certificate is printed as it is (it is one line already), and
/// stderr says what it is and that sshd admits it through its CA, never as an authorized key.
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "public key file (OpenSSH, RFC 4716/PuTTYgen, or wrapped), or - for standard input" };
        var command = new Command("import", "convert public keys to one-line OpenSSH authorized_keys form") { file };
        command.SetAction(parse => Run(parse.GetValue(file)!, Console.Out, Console.Error));
        return command;
    }

    public static int Run(string path, TextWriter stdout, TextWriter stderr)
    {
        if (!InputFile.TryReadAll(path, stderr, out string? text))
        {
            return ExitCodes.Usage;
        }
        int failures = 0;
        foreach (var line in AuthorizedKeysFile.Read(text))
        {
            if (line.IsKey)
            {
                stdout.WriteLine(SafeText.Escape(line.Raw.Trim()));
                if (line.Key!.Certificate is { } certificate)
                {
                    stderr.WriteLine($"{SafeText.Escape(path)}:{line.LineNumber}: {Describe(line.Key, certificate)}");
                }
            }
            else if (line.Suggestion is not null)
            {
                stdout.WriteLine(SafeText.Escape(line.Suggestion));
            }
            else if (line.Kind == AuthorizedKeyLineKind.Invalid)
            {
                failures++;
                stderr.WriteLine($"{SafeText.Escape(path)}:{line.LineNumber}: {(line.Error is { } reason ? KeyAgentd.Core.Policy.ReasonCodes.ToCode(reason) : "invalid")}: {SafeText.Escape(line.ErrorMessage ?? "")}");
            }
        }
        return failures == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static string Describe(KeyAgentd.Core.Keys.SshPublicKey key, KeyAgentd.Core.Keys.SshCertificateInfo certificate) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{KeyAgentd.Core.Keys.SshCertificateText.Kind(certificate.Kind)} certificate {key.Type.DisplayName} {key.Sha256Fingerprint}, key ID \"{SafeText.Escape(certificate.KeyId)}\", serial {certificate.Serial}, " +
            $"signed by {certificate.SignatureKey?.Type.DisplayName} {certificate.SignatureKey?.Sha256Fingerprint}: sshd admits it through its CA (TrustedUserCAKeys or a cert-authority line), not as an authorized key");
}
