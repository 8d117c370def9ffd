using System.CommandLine;
using KeyAgentd.Core;
using KeyAgentd.RegistrySource;
using KeyAgentd.RootRotation;
using KeyAgentd.Storage;
using KeyAgentd.Trust.Root;

namespace KeyAgentd.Cli;

/// <summary>
/// `root propose --from DIR/N.json [changes]`: writes DIR/N+1.json (unsigned) and prints what changes, for
/// the root holders to review before each of them signs it.
/// </summary>
internal static class RootProposeCommand
{
    /// <summary>What propose is given, as the options said it (key options as their text).</summary>
    internal sealed record Request(string From)
    {
        public IReadOnlyList<string> AddRootKeys { get; init; } = [];

        public IReadOnlyList<string> RemoveRootKeys { get; init; } = [];

        public IReadOnlyList<string> AddSnapshotSigners { get; init; } = [];

        public IReadOnlyList<string> RemoveSnapshotSigners { get; init; } = [];

        public IReadOnlyList<string> RevokeSigners { get; init; } = [];

        public int? RootThreshold { get; init; }

        public int? SnapshotThreshold { get; init; }

        public string? Expires { get; init; }

        /// <summary>--max-snapshot-validity: a duration or none; null leaves it as it was.</summary>
        public string? MaxSnapshotValidity { get; init; }

        /// <summary>--out: where N+1 is written; default N+1.json beside --from.</summary>
        public string? Out { get; init; }
    }

    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "the current root version, DIR/N.json", Required = true };
        var addRoot = new Option<string[]>("--add-root-key") { Description = "PRINCIPAL=KEYFILE.pub: a new root key (repeat)" };
        var removeRoot = new Option<string[]>("--remove-root-key") { Description = "PRINCIPAL or SHA256:…: root key(s) to drop (repeat)" };
        var addSigner = new Option<string[]>("--add-snapshot-signer") { Description = "PRINCIPALS=KEYFILE.pub[,valid-after=DATE][,valid-before=DATE]: a new snapshot signer (repeat)" };
        var removeSigner = new Option<string[]>("--remove-snapshot-signer") { Description = "PRINCIPAL or SHA256:…: snapshot signer(s) to drop (repeat)" };
        var revoke = new Option<string[]>("--revoke-signer") { Description = "SHA256:…: a key that counts for nothing from this version on, root or snapshot signer (repeat)" };
        var rootThreshold = new Option<int?>("--root-threshold") { Description = "the new root threshold (default: unchanged)" };
        var snapshotThreshold = new Option<int?>("--snapshot-threshold") { Description = "the new snapshot threshold (default: unchanged)" };
        var expires = new Option<string?>("--expires") { Description = $"the new expiry: {RootExpiry.AcceptedForms} (default: unchanged)" };
        var maxValidity = new Option<string?>("--max-snapshot-validity") { Description = $"the longest a snapshot may stay valid (expires_at - issued_at): {RootSnapshotValidity.AcceptedForms} (default: unchanged)" };
        var output = new Option<string?>("--out") { Description = "write version N+1 here instead of beside --from" };
        var command = new Command("propose", "write the next root version (unsigned) and show what it changes")
        {
            from, addRoot, removeRoot, addSigner, removeSigner, revoke, rootThreshold, snapshotThreshold, expires, maxValidity, output,
        };
        command.SetAction(parse => RegistryOptions.WithSettings(parse, settings => Run(
            new Request(parse.GetValue(from)!)
            {
                AddRootKeys = parse.GetValue(addRoot) ?? [],
                RemoveRootKeys = parse.GetValue(removeRoot) ?? [],
                AddSnapshotSigners = parse.GetValue(addSigner) ?? [],
                RemoveSnapshotSigners = parse.GetValue(removeSigner) ?? [],
                RevokeSigners = parse.GetValue(revoke) ?? [],
                RootThreshold = parse.GetValue(rootThreshold),
                SnapshotThreshold = parse.GetValue(snapshotThreshold),
                Expires = parse.GetValue(expires),
                MaxSnapshotValidity = parse.GetValue(maxValidity),
                Out = parse.GetValue(output),
            },
            settings.Policy.MinRsaBits, DateTimeOffset.UtcNow, Console.Out, Console.Error)));
        return command;
    }

    public static int Run(Request request, int minRsaBits, DateTimeOffset now, TextWriter stdout, TextWriter stderr) => TrustRootCommand.Run(stderr, () =>
    {
        var previous = RootSigning.ReadCanonical(DocumentFile.Read(request.From, TrustRootParser.MaxBytes + 1, followSymlink: true), request.From, minRsaBits);
        var changes = new RootChanges
        {
            AddRootKeys = [.. request.AddRootKeys.Select(text =>
            {
                var spec = RootKeySpec.Parse(text, window: false);
                var (key, comment) = RootKeyFile.Read(spec.KeyFile, minRsaBits);
                return new RootKey(spec.Principals, key, comment);
            })],
            RemoveRootKeys = request.RemoveRootKeys,
            AddSnapshotSigners = [.. request.AddSnapshotSigners.Select(text => RootInitCommand.Signer(text, minRsaBits))],
            RemoveSnapshotSigners = request.RemoveSnapshotSigners,
            RevokeSigners = request.RevokeSigners,
            RootThreshold = request.RootThreshold,
            SnapshotThreshold = request.SnapshotThreshold,
            ExpiresAt = request.Expires is null ? null : RootExpiry.Parse(request.Expires, now, "--expires"),
            MaxSnapshotValidity = request.MaxSnapshotValidity is null ? null : RootSnapshotValidity.Parse(request.MaxSnapshotValidity, allowNone: true),
        };
        var next = RootDraft.Next(previous, changes, now);
        byte[] bytes = TrustRootWriter.Render(next);
        string path = request.Out ?? Path.Combine(Path.GetDirectoryName(request.From) ?? "", RootDirectory.DocumentName(next.Version));
        RefuseOverwrite(path, bytes);
        DurableFile.WriteAllBytes(path, bytes, Posix.Mode0644);
        stdout.WriteLine($"{SafeText.Escape(path, 300)}: version {next.Version}, unsigned, proposed from version {previous.Version}");
        RootReport.WriteDifference(RootDifference.Between(previous, next), stdout);
        RootReport.WriteSigningNeeded(next, previous, path, stdout);
        return ExitCodes.Ok;
    });

    /// <summary>A version file is written once: the same bytes again are fine (a rerun), other bytes (or a .sig already beside it) are refused.</summary>
    /// <exception cref="RootRefusedException">Something else is there.</exception>
    public static void RefuseOverwrite(string path, byte[] bytes)
    {
        byte[]? there = DocumentFile.TryRead(path, TrustRootParser.MaxBytes + 1, followSymlink: true);
        if (there is not null && !there.AsSpan().SequenceEqual(bytes))
        {
            throw new RootRefusedException(RootRefusal.VersionExists, $"{path} already exists with other content (another proposal?); remove it first if it was never signed and published");
        }
        if (there is null && File.Exists(path + ".sig"))
        {
            throw new RootRefusedException(RootRefusal.VersionExists, $"{path}.sig exists without {path}: signatures over some other document; remove it first");
        }
    }
}
