using System.CommandLine;
using System.Globalization;
using System.Text;
using KeyAgentd.Core;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Source;
using KeyAgentd.RegistrySource;
using KeyAgentd.RegistrySource.KeysUrl;
using KeyAgentd.RegistrySource.Signing;
using KeyAgentd.Storage;
using KeyAgentd.Trust.Policy;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd-registry sign DIR --key FILE [--allowed-signers F [--drop-invalid]] [--source SOURCE [--default-document]]`:
/// an SSHSIG block (namespace keyagentd-registry) for every DIR/*.json, beside the blocks of other
/// signers (those of --allowed-signers first, <see cref="SignatureFile"/>), but only once every document
/// passed <see cref="DocumentReview"/>: one refusal (named, exit 1) and nothing at all is signed.
/// </summary>
internal static class RegistrySignCommand
{
    /// <summary>What `sign` checks beyond the documents' own consistency; none by default.</summary>
    /// <param name="AllowedSigners">--allowed-signers: the file every existing signature must verify against</param>
    /// <param name="Source">--source: the reviewed source tree every document must be, byte for byte, the build of</param>
    /// <param name="Policy">the Policy section of --policy, which the source is compiled under (as `build` does)</param>
    /// <param name="DropInvalid">--drop-invalid: a block that does not verify against AllowedSigners is dropped instead of refusing its document</param>
    internal sealed record Checks(string? AllowedSigners = null, string? Source = null, bool DefaultDocument = false, KeyPolicy? Policy = null, bool DropInvalid = false)
    {
        public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;

        public Func<HttpClient>? KeysClient { get; init; }
    }

    public static Command Create()
    {
        var directory = new Argument<string>("DIR") { Description = "directory of built documents" };
        var key = new Option<string>("--key") { Description = "as ssh-keygen -Y sign -f FILE: a private key file, or a public key whose private half ssh-agent holds", Required = true };
        var allowedSigners = new Option<string?>("--allowed-signers") { Description = "allowed_signers file every signature the documents already carry must verify against (required when they carry any)" };
        var source = new Option<string?>("--source") { Description = "the reviewed registry source: rebuild every document in memory and refuse any that differs by one byte, is missing or is extra" };
        var defaultDocument = new Option<bool>("--default-document") { Description = $"with --source: the build made DIR/{RenderedDocument.DefaultDocumentName}.json too" };
        var dropInvalid = new Option<bool>("--drop-invalid") { Description = "drop the signature blocks that do not verify against --allowed-signers (named on stderr) instead of refusing their documents" };
        var command = new Command("sign", "check, then sign every document in DIR (adds to existing signatures)") { directory, key, allowedSigners, source, defaultDocument, dropInvalid };
        command.SetAction((parse, cancellationToken) => RegistryOptions.WithSettingsAsync(parse, async settings =>
        {
            using var keysClient = new KeysUrlClient(settings.KeysUrlTimeout, settings.KeysUrlMaxBytes);
            var checks = new Checks(parse.GetValue(allowedSigners), parse.GetValue(source), parse.GetValue(defaultDocument),
                new KeyPolicy(settings.Policy.ToPolicyOptions(), TimeZoneInfo.Local), parse.GetValue(dropInvalid))
            {
                Now = RegistryBuildCommand.BuildTime(),
                KeysClient = keysClient.Get,
            };
            return await RunAsync(parse.GetValue(directory)!, parse.GetValue(key)!, Environment.GetEnvironmentVariable("SSH_AUTH_SOCK"), Console.Out, Console.Error, checks, cancellationToken).ConfigureAwait(false);
        }));
        return command;
    }

    public static async Task<int> RunAsync(string directory, string keyFile, string? agentSocket, TextWriter stdout, TextWriter stderr, Checks? checks = null, CancellationToken cancellationToken = default)
    {
        checks ??= new Checks();
        IDocumentSigner? signer = null;
        try
        {
            PreviousOutput.RequireDirectory(directory);
            var trust = checks.AllowedSigners is { } allowed
                ? RegistryTrust.Parse(File.ReadAllText(allowed), null, TimeZoneInfo.Local, new SignaturePolicyOptions(), allowed)
                : null;
            var source = checks.Source is { } sourcePath ? await RenderAsync(sourcePath, checks, stderr, cancellationToken).ConfigureAwait(false) : null;
            if (checks.Source is not null && source is null)
            {
                return ExitCodes.Failed;
            }
            using var staging = StagingDirectory.Create(directory);
            var names = PreviousOutput.Names(directory).Order(StringComparer.Ordinal).ToList();
            // Everything is checked first, under DIR's lock: one refusal and nothing at all is signed. Each
            // document checked is copied into staging as it was read, and that copy is what gets signed: never
            // the file in DIR again, which whoever writes DIR may have changed since (or pointed elsewhere).
            var review = new DocumentReview(trust, source, checks.Now, checks.DropInvalid);
            var signatures = new List<byte[]?>();
            foreach (string name in names)
            {
                string path = Path.Combine(directory, name + PreviousOutput.Extension);
                byte[] document = DocumentFile.Read(path, DocumentFile.MaxDocumentBytes);
                byte[]? existing = DocumentFile.TryRead(path + ".sig", DocumentFile.MaxSignatureBytes);
                review.Check(name, document, existing);
                staging.Write(name + PreviousOutput.Extension, document);
                signatures.Add(existing);
            }
            review.CheckNothingMissing();
            if (review.Refusals.Count > 0)
            {
                foreach (var refusal in review.Refusals)
                {
                    stderr.WriteLine($"keyagentd: {SafeText.Escape(Path.Combine(directory, refusal.Document + PreviousOutput.Extension), 400)}: {Describe(refusal, checks)}");
                }
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"keyagentd: {review.Refusals.Count} document(s) refused; nothing was signed"));
                return ExitCodes.Failed;
            }
            foreach (var dropped in review.Dropped)
            {
                stderr.WriteLine($"keyagentd: {SafeText.Escape(Path.Combine(directory, dropped.Document + PreviousOutput.Extension), 400)}: dropping {SafeText.Escape(dropped.Why, 400)}");
            }
            signer = SignerFactory.Open(keyFile, agentSocket);
            var documents = names.Select(n => n + PreviousOutput.Extension).ToList();
            var copies = documents.Select(d => Path.Combine(staging.Path, d)).ToList();
            var blocks = signer.Sign(copies);
            for (int i = 0; i < documents.Count; i++)
            {
                string merged = SignatureFile.Merge(signatures[i], File.ReadAllBytes(copies[i]), blocks[i], trust, checks.Now);
                File.Delete(copies[i] + ".sig");
                staging.Write(documents[i] + ".sig", Encoding.ASCII.GetBytes(merged));
            }
            staging.PublishSignatures(documents);
            stdout.WriteLine($"{SafeText.Escape(directory, 300)}: signed {documents.Count} document(s) by {signer.Describe()}" +
                (checks.Source is { } checkedAgainst ? $"; each is, byte for byte, the build of {SafeText.Escape(checkedAgainst, 300)}" : ""));
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"keyagentd: {SafeText.Escape(e.Message, 600)}");
            return ExitCodes.Failed;
        }
        finally
        {
            (signer as IDisposable)?.Dispose();
        }
    }

    /// <summary>The documents the source builds now, by name; null (problems printed) when the source has errors.</summary>
    private static async Task<Dictionary<string, RenderedDocument>?> RenderAsync(string sourcePath, Checks checks, TextWriter stderr, CancellationToken cancellationToken)
    {
        using var defaultClient = checks.KeysClient is null ? new KeysUrlClient() : null;
        var tree = await SourceTreeLoader.LoadAsync(sourcePath, checks.KeysClient ?? defaultClient!.Get, keepLast: false, cancellationToken).ConfigureAwait(false);
        var compiler = new SourceCompiler(tree, checks.Policy ?? new KeyPolicy(null, TimeZoneInfo.Local), checks.Now);
        compiler.CheckDocuments(checks.DefaultDocument);
        if (compiler.HasErrors)
        {
            stderr.Write(ProblemReport.Text(compiler.Problems));
            stderr.WriteLine($"keyagentd: {SafeText.Escape(sourcePath, 300)} has errors, so what it builds cannot be known; nothing was signed");
            return null;
        }
        return RenderedDocument.All(compiler, checks.DefaultDocument).ToDictionary(d => d.Name, StringComparer.Ordinal);
    }

    private static string Describe(DocumentReview.Refusal refusal, Checks checks) => refusal.Reason switch
    {
        SignRefusal.Unreadable => "not a registry document (no readable serial, issued_at, expires_at and audience)",
        SignRefusal.NotBuilt => "it carries no build.content, so registry build did not write it (review a hand-written document and sign it with ssh-keygen -Y sign)",
        SignRefusal.DigestMismatch => "its body does not match the content digest in its header (build.content): it was edited after it was built",
        SignRefusal.NotCanonical => "its bytes are not what registry build writes for its header and body (reformatted, or fields added)",
        SignRefusal.SignaturesUnchecked => $"it already carries {refusal.Detail} signature(s) and no --allowed-signers was given to check them",
        SignRefusal.SignatureInvalid => $"a signature it carries does not verify against {SafeText.Escape(checks.AllowedSigners ?? "", 300)}: {SafeText.Escape(refusal.Detail ?? "", 300)}",
        SignRefusal.NotInSource => $"{SafeText.Escape(checks.Source ?? "", 300)} does not build this document",
        SignRefusal.DiffersFromSource => $"it differs from what {SafeText.Escape(checks.Source ?? "", 300)} builds (rebuild from the reviewed commit, or find out who changed it)",
        SignRefusal.MissingFromDirectory => $"{SafeText.Escape(checks.Source ?? "", 300)} builds this document and the directory does not hold it",
        SignRefusal.ImplausibleMetadata => $"its content is what {SafeText.Escape(checks.Source ?? "", 300)} builds, but no build writes its header: {SafeText.Escape(refusal.Detail ?? "", 300)}",
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal.Reason, null),
    };
}
