using System.CommandLine;
using System.Text;
using System.Text.Json;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Source;
using KeyAgentd.RegistrySource;
using KeyAgentd.RegistrySource.KeysUrl;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd-registry validate SOURCE [--format text|json] [--default-document]`: the CI check of a keys
/// repository. Every key through the daemon's parser and policy; exit 0 clean (warnings allowed), 1 problems.
/// </summary>
internal static class RegistryValidateCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("SOURCE") { Description = "the registry source directory" };
        var format = new Option<string>("--format") { Description = "text or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var defaultDocument = new Option<bool>("--default-document") { Description = "also check the document for hosts outside the inventory" };
        var command = new Command("validate", "lint a registry source: file:line, reason code and fix for every problem") { source, format, defaultDocument };
        command.SetAction((parse, cancellationToken) => RegistryOptions.WithSettingsAsync(parse, async settings =>
        {
            using var keysClient = new KeysUrlClient(settings.KeysUrlTimeout, settings.KeysUrlMaxBytes);
            return await RunAsync(parse.GetValue(source)!, parse.GetValue(format) == "json", parse.GetValue(defaultDocument),
                new KeyPolicy(settings.Policy.ToPolicyOptions(), TimeZoneInfo.Local), DateTimeOffset.UtcNow, Console.Out, Console.Error, keysClient.Get, cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    public static async Task<int> RunAsync(string sourcePath, bool json, bool defaultDocument, KeyPolicy policy, DateTimeOffset now, TextWriter stdout, TextWriter stderr,
        Func<HttpClient>? keysClient = null, CancellationToken cancellationToken = default)
    {
        SourceTree tree;
        using var defaultClient = keysClient is null ? new KeysUrlClient() : null;
        try
        {
            tree = await SourceTreeLoader.LoadAsync(sourcePath, keysClient ?? defaultClient!.Get, keepLast: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"keyagentd: {e.Message}");
            return ExitCodes.Usage;
        }
        var compiler = new SourceCompiler(tree, policy, now);
        compiler.CheckDocuments(defaultDocument);
        var problems = compiler.Problems;
        if (json)
        {
            var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteString("source", sourcePath);
                writer.WriteNumber("people", tree.People.Count);
                writer.WriteNumber("groups", tree.Groups.Count);
                writer.WriteNumber("rules", tree.Rules.Count);
                writer.WriteNumber("hosts", compiler.Hosts.Count);
                ProblemReport.Json(writer, problems);
                writer.WriteEndObject();
            }
            stdout.Write(Encoding.UTF8.GetString(buffer.ToArray()) + "\n");
        }
        else
        {
            stdout.Write($"{tree.People.Count} people, {tree.People.Sum(p => p.Keys.Count)} keys, {tree.Groups.Count} groups, {tree.Rules.Count} rules, {compiler.Hosts.Count} hosts\n");
            stdout.Write(ProblemReport.Text(problems));
        }
        stdout.Flush();
        return compiler.HasErrors ? ExitCodes.Failed : ExitCodes.Ok;
    }
}
