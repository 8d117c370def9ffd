using KeyAgentd.Core.Snapshot;
using KeyAgentd.Trust;

namespace KeyAgentd.Verify;

/// <summary>
/// What an operator should check for a registry problem, by its stable code: appended to the
/// problem's message once, where the cycle reports it, so the warning line, `status` and
/// `sync`'s summary all say what to do next. A code without advice keeps its message as it is.
/// </summary>
public static class RegistryProblemAdvice
{
    /// <summary>The wording is a contract for operators' runbooks: the re-sign advice is quoted in README "Signing the registry".</summary>
    public const string ResignAndPublishBoth =
        "the document and its signature do not match: re-run `keyagentd-registry sign` on the document as published, and publish both";

    public static string? For(string code) => code switch
    {
        "unreachable" => "check that the registry server is up and reachable from this host (DNS, routes, firewall) and that Registry:Url names it",
        "timeout" => "check the registry server's load and the network path; Registry:Timeout bounds each attempt",
        "http-5xx" => "check the registry server's error log",
        "http-4xx" => "check Registry:Url (the document's path on the server) and the server's access rules",
        "http-error" => "check the registry server and the network path to it",
        "rate-limited" => "check the server's rate limit against the fleet's Registry:PollInterval",
        "too-large" => "check what the server serves at Registry:Url, or raise Registry:MaxBytes",
        "circuit-open" => "earlier attempts failed: check the registry server; the next poll asks again",
        "tls" => "check Registry:CaFile and the server's certificate (its chain and its name)",
        _ when code == TrustReason.SignatureInvalid.ToCode() => ResignAndPublishBoth,
        _ when code == TrustReason.SignerUnknown.ToCode() => "add the signer's key to Registry:AllowedSignersFile, or re-sign with a key listed there",
        _ when code == TrustReason.SignerLineInvalid.ToCode() => "fix that line of Registry:AllowedSignersFile (format: allowed_signers in ssh-keygen(1)); it is re-read at the next cycle",
        SignatureSetup.TrustRootsUnusable => "fix Registry:AllowedSignersFile (and Registry:RevokedSignersFile): root-owned, not writable by others, not empty",
        _ => null,
    };

    public static SnapshotError Advise(SnapshotError problem) =>
        For(problem.Code) is { } advice ? problem with { Message = $"{problem.Message}; {advice}" } : problem;
}
