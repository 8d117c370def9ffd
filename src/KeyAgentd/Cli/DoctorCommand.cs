using System.CommandLine;
using KeyAgentd.Accounts;
using KeyAgentd.Core;
using KeyAgentd.Doctor;
using KeyAgentd.Homes;
using KeyAgentd.State;
using Microsoft.Extensions.DependencyInjection;

namespace KeyAgentd.Cli;

/// <summary>`keyagentd doctor USER`: why a login as USER may fail. Exit 0 healthy, 1 problems found.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var user = new Argument<string>("USER") { Description = "the account to examine" };
        var certificate = new Option<string?>("--certificate") { Description = "a user certificate (FILE-cert.pub): what sshd would do with it for USER" };
        var command = new Command("doctor", "explain why an SSH key login as USER may fail") { user, certificate };
        command.SetAction(parse => CommonOptions.WithSettings(parse, settings =>
        {
            using var services = AppServices.BuildForCommand(settings);
            var doctor = new AccountDoctor(settings, services.GetRequiredService<IAccountDatabase>(), services.GetRequiredService<HomeKeyFiles>(),
                services.GetRequiredService<StateStore>(), SshdConfigProbe.Probe);
            // sshd reads an expiry-time without 'Z' in the host's zone, so the verdicts shown must too.
            string? certificateText = null;
            if (parse.GetValue(certificate) is { } path)
            {
                if (ReadCertificate(path, out certificateText) is { } problem)
                {
                    Console.Error.WriteLine(SafeText.Escape($"keyagentd: {path}: {problem}"));
                    return ExitCodes.Failed;
                }
            }
            return Run(doctor, parse.GetValue(user)!, DateTimeOffset.UtcNow, TimeZoneInfo.Local, Console.Out, certificateText);
        }));
        return command;
    }

    /// <summary>The operator's file, read as text up to a bound: a certificate is one line of a few kilobytes.</summary>
    private static string? ReadCertificate(string path, out string? text)
    {
        text = null;
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return "no such file";
        }
        if (info.Length > CertificateDoctor.MaxCertificateBytes)
        {
            return $"larger than {CertificateDoctor.MaxCertificateBytes} bytes: not a certificate";
        }
        try
        {
            text = File.ReadAllText(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    public static int Run(AccountDoctor doctor, string user, DateTimeOffset now, TimeZoneInfo localZone, TextWriter stdout, string? certificate = null)
    {
        var report = doctor.Examine(user, now, localZone, certificate);
        stdout.Write(report.ToString());
        stdout.WriteLine(report.Problems == 0 ? $"\nno problems found ({report.Warnings} warning(s))" : $"\n{report.Problems} problem(s), {report.Warnings} warning(s)");
        stdout.Flush();
        return report.Problems == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
