using System.CommandLine;
using KeyAgentd.Accounts;
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
        var command = new Command("doctor", "explain why an SSH key login as USER may fail") { user };
        command.SetAction(parse => CommonOptions.WithSettings(parse, settings =>
        {
            using var services = AppServices.BuildForCommand(settings);
            var doctor = new AccountDoctor(settings, services.GetRequiredService<IAccountDatabase>(), services.GetRequiredService<HomeKeyFiles>(),
                services.GetRequiredService<StateStore>(), SshdConfigProbe.Probe);
            // sshd reads an expiry-time without 'Z' in the host's zone, so the verdicts shown must too.
            return Run(doctor, parse.GetValue(user)!, DateTimeOffset.UtcNow, TimeZoneInfo.Local, Console.Out);
        }));
        return command;
    }

    public static int Run(AccountDoctor doctor, string user, DateTimeOffset now, TimeZoneInfo localZone, TextWriter stdout)
    {
        var report = doctor.Examine(user, now, localZone);
        stdout.Write(report.ToString());
        stdout.WriteLine(report.Problems == 0 ? $"\nno problems found ({report.Warnings} warning(s))" : $"\n{report.Problems} problem(s), {report.Warnings} warning(s)");
        stdout.Flush();
        return report.Problems == 0 ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
