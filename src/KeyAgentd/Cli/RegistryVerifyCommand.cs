using System.CommandLine;
using System.Globalization;
using KeyAgentd.Configuration;
using KeyAgentd.Core;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.RegistrySource;
using KeyAgentd.State;
using KeyAgentd.Sync;
using KeyAgentd.Trust.Policy;
using KeyAgentd.Verify;

namespace KeyAgentd.Cli;

/// <summary>
/// `keyagentd registry verify [--allowed-signers F] [--host NAME] SNAPSHOT [SIGNATURE]`: every signature
/// with its signer and verdict, the serial, audience and validity, and whether this host would apply
/// it (exit 0) or not (exit 1). The same <see cref="SnapshotVerifier"/> as the daemon decides.
/// </summary>
internal static class RegistryVerifyCommand
{
    public static Command Create()
    {
        var allowedSigners = new Option<string?>("--allowed-signers") { Description = "allowed_signers file (default Registry:AllowedSignersFile); implies enforce" };
        var host = new Option<string?>("--host") { Description = "judge the audience for this host name (default Host:Name)" };
        var snapshot = new Argument<string>("SNAPSHOT") { Description = "the registry document" };
        var signature = new Argument<string?>("SIGNATURE") { Description = "its SSHSIG file (default SNAPSHOT.sig)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("verify", "check signatures, signers, serial, audience and validity: would this host apply it?")
        {
            allowedSigners, host, snapshot, signature,
        };
        command.SetAction(parse => CommonOptions.WithSettings(parse, settings =>
            Run(settings, parse.GetValue(allowedSigners), parse.GetValue(host), parse.GetValue(snapshot)!, parse.GetValue(signature), DateTimeOffset.UtcNow, Console.Out)));
        return command;
    }

    /// <summary>
    /// On a host that follows a trust root, the snapshot signers of the root it holds now (as the next cycle
    /// starts from it, before it asks for a newer version); null on a host that uses an allowed_signers file.
    /// </summary>
    private static SignatureSetup? KeptRootSetup(KeyAgentdSettings settings, DateTimeOffset now)
    {
        var store = new TrustRootStore(settings.State.Directory);
        var trustFile = new TrustStateStore(settings.State.Directory).Load();
        long? floor = LocalTrust(settings) is { } trust ? HostRoots.Floor(trust, store) : store.HighestVersion();
        if (!HostRoots.InUse(settings, trustFile, store, floor))
        {
            return null;
        }
        var read = HostRoots.Read(settings, trustFile, store, now);
        var problem = TrustRoots.Conflict(settings, HostRoots.Source(settings, trustFile, store)) ?? read.Problem
            ?? (read.Root is { } held ? RootFloor.Check(floor, held.Version, settings.State.Directory) : null);
        return problem is null && read.Root is { } root
            ? TrustRoots.FromRoot(settings, root)
            : new SignatureSetup(SignatureMode.Enforce, null, problem, []);
    }

    public static int Run(KeyAgentdSettings settings, string? allowedSigners, string? host, string snapshotPath, string? signaturePath, DateTimeOffset now, TextWriter output)
    {
        signaturePath ??= snapshotPath + ".sig";
        byte[] content;
        byte[]? signature;
        try
        {
            // Regular files only, bounded as a host bounds its fetch: a FIFO would hang, a device never end.
            content = DocumentFile.Read(snapshotPath, settings.Registry.MaxBytes, followSymlink: true);
            signature = DocumentFile.TryRead(signaturePath, DocumentFile.MaxSignatureBytes, followSymlink: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"keyagentd: {SafeText.Escape(e.Message, 600)}");
            return ExitCodes.Usage;
        }
        var setup = (allowedSigners is null ? KeptRootSetup(settings, now) : null) ?? TrustRoots.Load(settings, allowedSigners);
        var trust = LocalTrust(settings);
        if (setup.Root is not null)
        {
            setup = setup with { Mode = SignatureMode.Enforce };
        }
        else if (setup.Mode != SignatureMode.Enforce && trust?.SignaturesRequired == true)
        {
            // As the daemon judges it: a host that has required signatures is not downgraded by its configuration.
            setup = TrustRoots.Load(settings, settings.Registry.AllowedSignersFile);
        }
        string hostName = host ?? settings.Host.ResolvedName;
        var floor = setup.Mode == SignatureMode.Enforce ? trust?.VerifiedFloor : trust?.AnyFloor;
        var binding = new SnapshotBindingOptions(hostName, setup.MaxValidity(settings.Registry.MaxValidity), settings.Registry.ClockSkew);
        var check = SnapshotVerifier.Check(setup, content, signature, binding, floor?.Serial, floor?.Sha256, now);

        output.WriteLine($"snapshot:    {SafeText.Escape(snapshotPath, 300)} (sha256 {check.Sha256})");
        output.WriteLine($"signatures:  {SafeText.Escape(signaturePath, 300)}{(signature is null ? " (absent)" : "")}; mode {setup.Mode.ToName()}{(setup.Unauthenticated ? " (UNAUTHENTICATED: no allowed_signers file)" : "")}{(setup.Root is { } root ? $"; signers of trust root version {root.Version}" : "")}");
        foreach (string warning in setup.Warnings)
        {
            output.WriteLine($"  warning: {warning}");
        }
        if (check.Signature is { } decision)
        {
            WriteSignatures(output, decision);
        }
        if (check.Snapshot is { } parsed)
        {
            WriteSnapshot(output, parsed, hostName, settings.Registry.MaxValidity);
        }
        if (trust?.File.Problem is { } unusable)
        {
            // The daemon fetches nothing while its trust state is damaged: no snapshot would be applied.
            output.WriteLine($"this host:   {SafeText.Escape(trust.Describe(), 600)}");
            output.WriteLine($"verdict:     REFUSE {SyncEngine.TrustStateUnusable}: {SafeText.Escape(unusable, 500)}");
            return ExitCodes.Failed;
        }
        if (floor is { } last)
        {
            output.WriteLine($"this host:   rollback floor {last.Serial}{(trust!.SignaturesRequired ? "; signatures required (sticky)" : "")}");
        }
        if (check.IsAccepted)
        {
            output.WriteLine(check.Reported is { } reported
                ? $"verdict:     APPLY (report mode; under enforce: REFUSE {reported.Code}: {SafeText.Escape(reported.Message, 300)})"
                : $"verdict:     APPLY on {SafeText.Escape(hostName, 64)}");
            return ExitCodes.Ok;
        }
        output.WriteLine($"verdict:     REFUSE {check.Problem!.Code}: {SafeText.Escape(check.Problem.Message, 500)}");
        return ExitCodes.Failed;
    }

    private static void WriteSignatures(TextWriter output, SignatureDecision decision)
    {
        foreach (var s in decision.Signatures)
        {
            string verdict = s.CountsTowardThreshold ? "ok     " : s.IsValid ? "dup    " : "REFUSED";
            output.WriteLine($"  {s.Index}: {verdict} {s.ReasonCode,-20} {SafeText.Escape(s.Principals ?? "-", 120)} {s.KeyType ?? "?"} {s.Fingerprint ?? "?"}" +
                $"{(s.Hash is null ? "" : $" {s.Hash}")}{(s.Detail is null ? "" : $": {SafeText.Escape(s.Detail, 300)}")}");
        }
        output.WriteLine($"signers:     {decision.DistinctValidSigners} distinct (by allowed_signers principal), {decision.Threshold} required: {decision.ReasonCode}");
    }

    private static void WriteSnapshot(TextWriter output, RegistrySnapshot snapshot, string hostName, TimeSpan maxValidity)
    {
        output.WriteLine($"serial:      {snapshot.Serial}");
        output.WriteLine(snapshot.Audience is { } audience
            ? $"audience:    {string.Join(", ", audience.Select(a => SafeText.Escape(a, 64)))} ({SafeText.Escape(hostName, 64)}: {(SnapshotBinding.IsForHost(audience, hostName) ? "matches" : "DOES NOT MATCH")})"
            : "audience:    (none: every host)");
        output.WriteLine($"issued:      {Format(snapshot.IssuedAt)}");
        output.WriteLine($"expires:     {Format(snapshot.ExpiresAt)}" +
            (snapshot.ExpiresAt - snapshot.IssuedAt is { } validity ? $" (valid {validity.TotalDays.ToString("0.##", CultureInfo.InvariantCulture)} days; Registry:MaxValidity {maxValidity.TotalDays.ToString("0.##", CultureInfo.InvariantCulture)})" : ""));
    }

    /// <summary>This host's rollback floor and sticky enforcement, for rollback and equivocation; nothing when the state is unreadable here.</summary>
    private static HostTrust? LocalTrust(KeyAgentdSettings settings)
    {
        try
        {
            var state = new StateStore(settings.State.Directory);
            return HostTrust.Read(state, settings.Audit.Path, state.LoadStatus());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Format(DateTimeOffset? when) => when is { } w ? w.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "(none)";
}
