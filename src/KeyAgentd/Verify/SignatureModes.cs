namespace KeyAgentd.Verify;

/// <summary>The stable spellings of <see cref="SignatureMode"/>; never rename one.</summary>
public static class SignatureModes
{
    public static string ToName(this SignatureMode mode) => mode switch
    {
        SignatureMode.Enforce => "enforce",
        SignatureMode.Report => "report",
        SignatureMode.Off => "off",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>
    /// An explicit setting wins; unset means enforce as soon as trust roots exist, so installing an
    /// allowed_signers file is enough to stop unsigned snapshots, and off (warned) before that.
    /// </summary>
    public static SignatureMode Resolve(string? configured, bool allowedSignersFileExists) => configured switch
    {
        "enforce" => SignatureMode.Enforce,
        "report" => SignatureMode.Report,
        "off" => SignatureMode.Off,
        null => allowedSignersFileExists ? SignatureMode.Enforce : SignatureMode.Off,
        _ => throw new ArgumentOutOfRangeException(nameof(configured), configured, "Registry:Signatures"),
    };
}
