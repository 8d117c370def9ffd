using Microsoft.Extensions.Logging;

namespace KeyAgentd.Sync;

/// <summary>
/// All of the sync cycle's log events in one place, source-generated. Its stages log through the engine's
/// logger, so every event keeps the category it always had (KeyAgentd.Sync.SyncEngine).
/// </summary>
internal static partial class SyncLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "sync {Outcome} in {Seconds:0.000}s: {Summary}")]
    internal static partial void LogCycle(ILogger logger, string outcome, double seconds, string summary);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "registry {Location} unusable, {Kept}: {Problem}")]
    internal static partial void LogRegistryProblem(ILogger logger, string location, string kept, string problem);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "mass-removal guard tripped, nothing written: {Message}")]
    internal static partial void LogGuard(ILogger logger, string message);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "account {Account} refused: {Code}: {Why}")]
    internal static partial void LogRefused(ILogger logger, string account, string code, string why);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "mass removal let through by the registry's removal_approval for serial {Serial}: {Reason}")]
    internal static partial void LogRemovalApproved(ILogger logger, long serial, string reason);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "registry {Location} is UNAUTHENTICATED ({Why}): whoever controls its server or the network path controls this host's keys; see \"Signing the registry\" in docs/security-model.md")]
    internal static partial void LogUnauthenticated(ILogger logger, string location, string why);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "trust roots: {Problem}")]
    internal static partial void LogTrustRootLine(ILogger logger, string problem);

    [LoggerMessage(EventId = 107, Level = LogLevel.Warning, Message = "{Message}")]
    internal static partial void LogLastKnownGoodUnverified(ILogger logger, string message);

    [LoggerMessage(EventId = 108, Level = LogLevel.Error, Message = "registry {Location} EQUIVOCATION, snapshot refused: {Message}; a signer is compromised or broken")]
    internal static partial void LogEquivocation(ILogger logger, string location, string message);

    [LoggerMessage(EventId = 109, Level = LogLevel.Warning, Message = "registry {Location}: applied in report mode although it would be refused under enforce: {Problem}")]
    internal static partial void LogReportedOnly(ILogger logger, string location, string problem);

    [LoggerMessage(EventId = 110, Level = LogLevel.Error, Message = "writing the KRL {Path} failed: {Error}")]
    internal static partial void LogKrlFailed(ILogger logger, string path, string error);

    // Information, not a warning: the cycle's one warning already says why there is no snapshot; this is the protection working.
    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "no registry snapshot to apply: wrote {Path} as a KRL that revokes nothing, so sshd (RevokedKeys) does not refuse every key meanwhile")]
    internal static partial void LogKrlCreatedEmpty(ILogger logger, string path);

    [LoggerMessage(EventId = 555, Level = LogLevel.Information, Message = "wrote {Path} (certificate trust for sshd)")]
    internal static partial void LogCertificateFileWritten(ILogger logger, string path);

    [LoggerMessage(EventId = 556, Level = LogLevel.Information, Message = "removed {Path}: its account admits no certificate or is no longer managed")]
    internal static partial void LogCertificateFileRemoved(ILogger logger, string path);

    [LoggerMessage(EventId = 557, Level = LogLevel.Error, Message = "could not update {Path} (certificate trust for sshd): {Error}; the previous file stays in force")]
    internal static partial void LogCertificateFileFailed(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 111, Level = LogLevel.Error, Message = "audit: {Error}; the cycle goes on (revocation does not wait for the audit)")]
    internal static partial void LogAuditAside(ILogger logger, string error);

    [LoggerMessage(EventId = 120, Level = LogLevel.Error, Message = "trust state: {Problem}")]
    internal static partial void LogTrustState(ILogger logger, string problem);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "{Why}, but this host requires signatures (it has accepted signed snapshots or run under enforce): every snapshot is judged under enforce until `keyagentd trust allow-unsigned` (audited)")]
    internal static partial void LogSignaturesRequired(ILogger logger, string why);

    [LoggerMessage(EventId = 122, Level = LogLevel.Warning, Message = "{Problem}")]
    internal static partial void LogStatusDamaged(ILogger logger, string problem);

    [LoggerMessage(EventId = 123, Level = LogLevel.Warning, Message = "state directory repaired: {Path}: {What}")]
    internal static partial void LogStateDirectoryRepaired(ILogger logger, string path, string what);

    [LoggerMessage(EventId = 124, Level = LogLevel.Error, Message = "state directory {Path} cannot be secured: {Error}; keyagentd-keys refuses caches under a loose one")]
    internal static partial void LogStateDirectoryInsecure(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 126, Level = LogLevel.Warning, Message = "{Problem}; read as every managed account (each home whose authorized_keys carries keyagentd's mark is cleaned), rewritten by this cycle")]
    internal static partial void LogFileAccountsDamaged(ILogger logger, string problem);

    [LoggerMessage(EventId = 127, Level = LogLevel.Warning, Message = "keyagentd-keys cache of {Account} removed ({Keys} key(s)): the account is no longer managed")]
    internal static partial void LogUnmanagedCacheRemoved(ILogger logger, string account, int keys);

    // The trust root (docs/trust-root.md): 500-519.
    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "trust root version {Version} accepted from {Location} (signed by {SignedBy}); snapshot signers now: {Signers}")]
    internal static partial void LogRootAccepted(ILogger logger, long version, string location, string signedBy, string signers);

    [LoggerMessage(EventId = 501, Level = LogLevel.Error, Message = "trust root refused, nothing changes (still version {Current}): {Reason}")]
    internal static partial void LogRootRefused(ILogger logger, long? current, string reason);

    [LoggerMessage(EventId = 502, Level = LogLevel.Error, Message = "trust root: {Problem}")]
    internal static partial void LogRootUnusable(ILogger logger, string problem);

    [LoggerMessage(EventId = 503, Level = LogLevel.Error, Message = "trust root version {Version} EXPIRED at {ExpiresAt:u}: no new snapshot is applied until version {Next} is published (the keys in place stay)")]
    internal static partial void LogRootExpired(ILogger logger, long version, DateTimeOffset expiresAt, long next);

    [LoggerMessage(EventId = 504, Level = LogLevel.Warning, Message = "trust root: could not ask for the next version: {Problem}; no new snapshot is judged this cycle")]
    internal static partial void LogRootFetchFailed(ILogger logger, string problem);
}
