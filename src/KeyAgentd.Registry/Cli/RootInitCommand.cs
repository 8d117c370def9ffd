using System.CommandLine;
using KeyAgentd.Core;
using KeyAgentd.RegistrySource;
using KeyAgentd.RootRotation;
using KeyAgentd.Storage;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.Cli;

/// <summary>
/// `root init --out DIR --root-key P=F.pub … --root-threshold N --snapshot-signer PS=F.pub[,valid-before=…] …
/// --snapshot-threshold N --expires DURATION|DATE`: writes DIR/1.json, the first root, unsigned (the root
/// holders sign it with `root sign`). Refuses what hosts or the next rotation could not live with (<see cref="RootDraft"/>).
/// </summary>
internal static class RootInitCommand
{
    /// <summary>What init is given, as the options said it.</summary>
    internal sealed record Request(string Out, IReadOnlyList<string> RootKeys, int RootThreshold, IReadOnlyList<string> SnapshotSigners, int SnapshotThreshold, string? Expires)
    {
        /// <summary>--max-snapshot-validity: a duration; null writes no limit.</summary>
        public string? MaxSnapshotValidity { get; init; }
    }

    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "the root directory: 1.json is written there", Required = true };
        var rootKeys = new Option<string[]>("--root-key") { Description = "PRINCIPAL=KEYFILE.pub: a root key held offline by one person (repeat)", Required = true };
        var rootThreshold = new Option<int>("--root-threshold") { Description = "how many distinct root principals must sign the next root", Required = true };
        var signers = new Option<string[]>("--snapshot-signer") { Description = "PRINCIPALS=KEYFILE.pub[,valid-after=DATE][,valid-before=DATE]: a key that may sign snapshots (repeat)", Required = true };
        var snapshotThreshold = new Option<int>("--snapshot-threshold") { Description = "how many distinct principals must sign each snapshot", Required = true };
        var expires = new Option<string?>("--expires") { Description = $"when the root expires: {RootExpiry.AcceptedForms}; at most {TrustRootRules.MaxLifetime.TotalDays:0} days ahead" };
        var maxValidity = new Option<string?>("--max-snapshot-validity") { Description = "the longest a snapshot may stay valid (expires_at - issued_at): a duration (7d, 36h, 86400) up to 10 years; default: no limit beyond the hosts' Registry:MaxValidity" };
        var command = new Command("init", "write version 1 of the trust root (unsigned) from public keys") { output, rootKeys, rootThreshold, signers, snapshotThreshold, expires, maxValidity };
        command.SetAction(parse => RegistryOptions.WithSettings(parse, settings => Run(
            new Request(parse.GetValue(output)!, parse.GetValue(rootKeys) ?? [], parse.GetValue(rootThreshold), parse.GetValue(signers) ?? [],
                parse.GetValue(snapshotThreshold), parse.GetValue(expires)) { MaxSnapshotValidity = parse.GetValue(maxValidity) },
            settings.Policy.MinRsaBits, DateTimeOffset.UtcNow, Console.Out, Console.Error)));
        return command;
    }

    public static int Run(Request request, int minRsaBits, DateTimeOffset now, TextWriter stdout, TextWriter stderr) => TrustRootCommand.Run(stderr, () =>
    {
        var rootKeys = request.RootKeys.Select(text =>
        {
            var spec = RootKeySpec.Parse(text, window: false);
            var (key, comment) = RootKeyFile.Read(spec.KeyFile, minRsaBits);
            return new RootKey(spec.Principals, key, comment);
        }).ToList();
        var signers = request.SnapshotSigners.Select(text => Signer(text, minRsaBits)).ToList();
        var expires = request.Expires is null ? (DateTimeOffset?)null : RootExpiry.Parse(request.Expires, now, "--expires");
        var maxSnapshotValidity = request.MaxSnapshotValidity is null ? null : RootSnapshotValidity.Parse(request.MaxSnapshotValidity, allowNone: false).Limit;
        var root = RootDraft.First(rootKeys, request.RootThreshold, signers, request.SnapshotThreshold, expires, now, maxSnapshotValidity);

        byte[] bytes = TrustRootWriter.Render(root);
        Directory.CreateDirectory(request.Out);
        string path = Path.Combine(request.Out, RootDirectory.DocumentName(1));
        RootProposeCommand.RefuseOverwrite(path, bytes);
        DurableFile.WriteAllBytes(path, bytes, Posix.Mode0644);
        stdout.WriteLine($"{SafeText.Escape(path, 300)}: version 1, unsigned");
        RootReport.WriteSummary(root, stdout);
        RootReport.WriteSigningNeeded(root, null, path, stdout);
        return ExitCodes.Ok;
    });

    /// <exception cref="RootRefusedException">The text or its key file is unusable.</exception>
    public static SnapshotSigner Signer(string text, int minRsaBits)
    {
        var spec = RootKeySpec.Parse(text, window: true);
        var (key, comment) = RootKeyFile.Read(spec.KeyFile, minRsaBits);
        return new SnapshotSigner(spec.Principals, key, spec.ValidAfter, spec.ValidBefore, comment);
    }
}
