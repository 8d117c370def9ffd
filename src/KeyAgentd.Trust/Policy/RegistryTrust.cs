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

    /// <summary>Every line of either file that grants or revokes nothing, labelled with its file.</summary>
    public IEnumerable<string> Problems =>
        AllowedSigners.Errors.Select(e => $"allowed signers {e}").Concat(RevokedSigners.Errors.Select(e => $"revoked signers {e}"));

    /// <param name="localZone">The zone of allowed_signers times written without 'Z' (the host's, chosen by the caller).</param>
    public static RegistryTrust Parse(string allowedSignersText, string? revokedSignersText, TimeZoneInfo localZone, SignaturePolicyOptions options) =>
        new(AllowedSignersFile.Parse(allowedSignersText, localZone),
            revokedSignersText is null ? RevokedSigners.None : RevokedSigners.Parse(revokedSignersText),
            options);

    public SignatureDecision Verify(ReadOnlySpan<byte> snapshot, ReadOnlySpan<byte> signatureFile, DateTimeOffset verificationTime) =>
        SignaturePolicy.Evaluate(snapshot, signatureFile, AllowedSigners, RevokedSigners, Options, verificationTime);

    public SignatureDecision Verify(Stream snapshot, ReadOnlySpan<byte> signatureFile, DateTimeOffset verificationTime) =>
        SignaturePolicy.Evaluate(snapshot, signatureFile, AllowedSigners, RevokedSigners, Options, verificationTime);
}
