using System.CommandLine;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.RegistrySource;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd-registry diff OLD_DIR NEW_DIR`: per host and account, who gains and who loses access,
/// judged as the hosts will judge it; exit 4 when a host's mass-removal guard would refuse its document,
/// exit 1 (and no diff) when a directory or a file in it cannot be read as documents (<see cref="DocumentFile"/>, <see cref="DocumentDiffer"/>).
/// </summary>
internal static class RegistryDiffCommand
{
    public static Command Create()
    {
        var oldDir = new Argument<string>("OLD_DIR") { Description = "the published documents" };
        var newDir = new Argument<string>("NEW_DIR") { Description = "the documents about to be published" };
        var maxRemoval = new Option<double?>("--max-removal-percent") { Description = "mass-removal guard (default Safety:MaxRemovalPercent)" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var command = new Command("diff", "who gains and loses which account on which host") { oldDir, newDir, maxRemoval, format };
        command.SetAction(parse => RegistryOptions.WithSettings(parse, settings =>
        {
            var limits = settings.Safety.ToRemovalLimits();
            if (parse.GetValue(maxRemoval) is { } percent)
            {
                limits = limits with { MaxPercent = percent };
            }
            return Run(parse.GetValue(oldDir)!, parse.GetValue(newDir)!, new KeyPolicy(settings.Policy.ToPolicyOptions(), TimeZoneInfo.Local), DateTimeOffset.UtcNow,
                limits, parse.GetValue(format) == "json", Console.Out);
        }));
        return command;
    }

    /// <summary>Both directories must exist: a mistyped one is an error (exit 1), never an empty registry that makes every key look gained or lost.</summary>
    public static int Run(string oldDir, string newDir, KeyPolicy policy, DateTimeOffset now, RemovalLimits limits, bool json, TextWriter stdout, TextWriter? stderr = null) =>
        TreeDiffReport.Write(oldDir, newDir, new DocumentDiffer(policy, now, limits), json, stdout, stderr ?? Console.Error);
}
