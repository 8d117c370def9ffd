using System.CommandLine;
using System.Text.RegularExpressions;
using KeyAgentd.Audit;
using KeyAgentd.Configuration;
using KeyAgentd.Core;
using KeyAgentd.Fetch;
using KeyAgentd.State;
using KeyAgentd.Trust.Root;
using KeyAgentd.Verify;
using Microsoft.Extensions.DependencyInjection;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd trust init URL --root-fingerprint SHA256:…`: the first trust root of a host that had none
/// installed with it. URL names one root document (…/root/N.json, its signatures at N.json.sig; or
/// …/root/current.json, its signatures at the N.json.sig of the version it holds). It is accepted only
/// through <see cref="RootVerifier.VerifyFirst"/>: its own threshold of root principals must have signed it
/// with keys whose fingerprints were given here, out of band. Kept in the state directory, recorded in the
/// trust state, audited (root-accepted). Exit 0 kept, 1 refused or failed (nothing changed), 2 usage.
/// </summary>
internal static partial class TrustInitCommand
{
    public static Command Create()
    {
        var url = new Argument<string>("URL") { Description = "a published root: https://keys.example.com/root/1.json (or …/root/current.json); file:// too" };
        var pins = new Option<string[]>("--root-fingerprint")
        {
            Description = "SHA256 fingerprint of a root key, from its holder out of band (repeat for each)",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("init", "fetch the registry's trust root and keep it if the pinned root keys signed it (audited)") { url, pins };
        command.SetAction((parse, cancel) => CommonOptions.WithSettingsAsync(parse, settings =>
            RunAsync(settings, parse.GetValue(url)!, parse.GetValue(pins)!, Console.Out, Console.Error, cancel)));
        return command;
    }

    public static async Task<int> RunAsync(KeyAgentdSettings settings, string url, string[] pins, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        if (pins.FirstOrDefault(p => !Sha256Fingerprint().IsMatch(p)) is { } bad)
        {
            stderr.WriteLine($"keyagentd: trust init: --root-fingerprint {SafeText.Escape(bad, 80)} is not a SHA256 fingerprint (SHA256: and 43 base64 characters, as `ssh-keygen -lf KEY.pub` prints)");
            return ExitCodes.Usage;
        }
        Uri uri;
        try
        {
            uri = RegistryUrl.Parse(url);
        }
        catch (SettingsException e)
        {
            stderr.WriteLine($"keyagentd: trust init: {SafeText.Escape(e.Message)}");
            return ExitCodes.Usage;
        }
        var registry = new RegistrySettings { Url = uri.ToString(), Timeout = settings.Registry.Timeout, MaxBytes = settings.Registry.MaxBytes, CaFile = settings.Registry.CaFile };
        var hostSettings = new KeyAgentdSettings { Registry = registry, Host = settings.Host };
        using var services = AppServices.BuildForCommand(hostSettings);
        var source = RegistrySourceFactory.Create(registry, settings.Host.ResolvedName, services);
        var document = await source.FetchAsync(null, cancel).ConfigureAwait(false);
        if (document.Status != RegistryFetchStatus.Ok)
        {
            stderr.WriteLine($"keyagentd: trust init: {SafeText.Escape(source.Location)}: {SafeText.Escape(document.Message ?? document.ErrorCode ?? "not readable")}");
            return ExitCodes.Failed;
        }
        var signature = await FetchSignatureAsync(source, uri, document.Content!, settings.Policy.MinRsaBits, cancel).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        var check = RootVerifier.VerifyFirst(document.Content!, signature ?? [], pins, settings.Policy.MinRsaBits, now);
        // An expired first root is kept: it is a link in the chain, and the next sync walks past it (or says root-expired).
        using var appServices = AppServices.BuildForCommand(settings);
        var state = appServices.GetRequiredService<StateStore>();
        var audit = appServices.GetRequiredService<AuditLog>();
        using var locked = await state.LockAsync(cancel).ConfigureAwait(false);
        var record = new AuditRecord
        {
            Time = now,
            Action = (check.IsAccepted ? AuditAction.RootAccepted : AuditAction.RootRefused).ToCode(),
            Host = settings.Host.ResolvedName,
            RootVersion = check.Version,
            Reason = check.ReasonCode,
            Signers = check.ByItself?.SignerPrincipals.ToArray() is { Length: > 0 } signedBy ? signedBy : null,
        };
        if (!check.IsAccepted)
        {
            audit.Append([record with { Message = $"`keyagentd trust init {uri}` refused: {check}" }]);
            stderr.WriteLine($"keyagentd: trust init: refused, nothing kept: {SafeText.Escape(check.ToString(), 800)}");
            return ExitCodes.Failed;
        }
        var root = check.Root!;
        var trustFile = new TrustStateStore(state.Directory);
        var trust = trustFile.Load();
        if (trust.IsDamaged)
        {
            stderr.WriteLine($"keyagentd: trust init: {SafeText.Escape(trust.Problem!)}; reset it first with `keyagentd trust reset-serial --to N`");
            return ExitCodes.Failed;
        }
        var store = new TrustRootStore(state.Directory);
        if (HostRoots.Read(settings, trust, store, now) is { Root: { } kept, Installed: null } && kept.Version >= root.Version)
        {
            stdout.WriteLine($"this host already holds trust root version {kept.Version} ({store.DocumentPath(kept.Version)}): nothing to do; the daemon walks forward from it at each poll");
            return ExitCodes.Ok;
        }
        var before = HostTrust.Read(state, audit.Path, state.LoadStatus());
        if (HostRoots.Floor(before, store) is { } recorded && recorded > root.Version)
        {
            stderr.WriteLine($"keyagentd: trust init: version {root.Version} is older than the version this host held ({recorded}): refused (root-rollback); give the URL of version {recorded} or later"
                + " (or, to accept a lower root on purpose, `keyagentd trust reset-root` first)");
            return ExitCodes.Failed;
        }
        try
        {
            audit.Append([record with { Message = $"`keyagentd trust init {uri}` with pinned root key(s) {string.Join(", ", pins)}; expires {root.ExpiresAt:u}" }]);
            store.Save(root);
            trustFile.Save(before.Persisted with { RootVersion = root.Version, RootFloor = null });
        }
        catch (IOException e)
        {
            stderr.WriteLine($"keyagentd: trust init: {SafeText.Escape(e.Message)}");
            return ExitCodes.Failed;
        }
        stdout.WriteLine($"trust root version {root.Version} kept at {store.DocumentPath(root.Version)} (signed by {SafeText.Escape(string.Join(", ", root.SignedBy))}; expires {root.ExpiresAt:u}); recorded in the audit log (root-accepted)");
        stdout.WriteLine($"snapshot signers: {root.Document.SnapshotThreshold} of {SafeText.Escape(string.Join(", ", root.Document.SnapshotSigners.Select(s => s.Principals)))}; the next sync walks to the newest published version");
        if (TrustRoots.Conflict(settings, store.DocumentPath(root.Version)) is { } conflict)
        {
            stderr.WriteLine($"keyagentd: trust init: warning: {SafeText.Escape(conflict.Message)}");
        }
        return ExitCodes.Ok;
    }

    /// <summary>N.json.sig beside N.json; for current.json, the .sig of the version it holds (current.json has none of its own).</summary>
    private static async Task<byte[]?> FetchSignatureAsync(IRegistrySource source, Uri uri, byte[] document, int minRsaBits, CancellationToken cancel)
    {
        bool current = uri.AbsolutePath.EndsWith("/current.json", StringComparison.Ordinal);
        if (current && TrustRootParser.TryParse(document, minRsaBits, out var parsed, out _))
        {
            var beside = await source.FetchBesideAsync($"{parsed.Version}.json.sig", null, cancel).ConfigureAwait(false);
            return beside.Content;
        }
        var signature = await source.FetchSignatureAsync(cancel).ConfigureAwait(false);
        return signature.Content;
    }

    [GeneratedRegex("^SHA256:[A-Za-z0-9+/]{43}$")]
    private static partial Regex Sha256Fingerprint();
}
