using KeyAgentd.Trust.AllowedSigners;
using KeyAgentd.Trust.Revocation;

namespace KeyAgentd.Trust.Policy;

/// <summary>
/// The trust roots and settings of one sync cycle, parsed once from the texts of
/// Registry:AllowedSignersFile and Registry:RevokedSignersFile (the caller reads the files, and
/// re-creates this when they change). Each verification then takes only bytes and a time.
/// </summary>
public sealed class RegistryTrust
{
    public RegistryTrust(AllowedSignersFile allowedSigners, RevokedSigners revokedSigners, SignaturePolicyOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threshold, 1);
        AllowedSigners = allowedSigners;
        RevokedSigners = revokedSigners;
        Options = options;
    }

    public AllowedSignersFile AllowedSigners { get; }

    public RevokedSigners RevokedSigners { get; }

    public SignaturePolicyOptions Options { get; }

    /// <summary>
    /// Every line of allowed_signers that grants nothing (it fails closed, so it is a warning). The
    /// revoked signers have none: a line that revokes nothing would fail open, so it fails the parse.
    /// </summary>
    public IEnumerable<string> Problems => AllowedSigners.Errors.Select(e =>
        AllowedSigners.Path is null ? $"allowed signers {e}" : $"allowed signers {AllowedSigners.Where(e.LineNumber)}: {e.Message}");

    /// <param name="localZone">The zone of allowed_signers times written without 'Z' (the host's, chosen by the caller).</param>
    /// <param name="revokedSigners">The revoked signers file's bytes (text or a KRL); null when none is configured.</param>
    /// <param name="allowedSignersPath">Where the allowed_signers text was read from, named in refusals ("FILE:LINE").</param>
    /// <exception cref="FormatException">The revoked signers file does not parse (<see cref="RevokedSigners.Parse(ReadOnlySpan{byte})"/>).</exception>
    public static RegistryTrust Parse(string allowedSignersText, byte[]? revokedSigners, TimeZoneInfo localZone, SignaturePolicyOptions options,
        string? allowedSignersPath = null) =>
        new(AllowedSignersFile.Parse(allowedSignersText, localZone, allowedSignersPath),
            revokedSigners is null ? RevokedSigners.None : RevokedSigners.Parse(revokedSigners),
            options);

    public SignatureDecision Verify(ReadOnlySpan<byte> snapshot, ReadOnlySpan<byte> signatureFile, DateTimeOffset verificationTime) =>
        SignaturePolicy.Evaluate(snapshot, signatureFile, AllowedSigners, RevokedSigners, Options, verificationTime);

    public SignatureDecision Verify(Stream snapshot, ReadOnlySpan<byte> signatureFile, DateTimeOffset verificationTime) =>
        SignaturePolicy.Evaluate(snapshot, signatureFile, AllowedSigners, RevokedSigners, Options, verificationTime);
}
