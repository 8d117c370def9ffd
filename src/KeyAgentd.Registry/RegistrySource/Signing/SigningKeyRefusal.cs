using KeyAgentd.Core.Codes;

namespace KeyAgentd.RegistrySource.Signing;

/// <summary>Why a private key file given to --key / --sign-key is refused before anything is signed.</summary>
internal enum SigningKeyRefusal
{
    /// <summary>Group or others may read or write it (ssh-keygen's "UNPROTECTED PRIVATE KEY FILE!"): chmod 600.</summary>
    TooOpen,

    /// <summary>It says it is an unencrypted OpenSSH Ed25519 key, but its parts do not agree (check words, the public half, padding).</summary>
    Malformed,
}

/// <summary>Stable kebab-case names for <see cref="SigningKeyRefusal"/>; never rename one.</summary>
internal static class SigningKeyRefusals
{
    public static readonly CodeCatalogue<SigningKeyRefusal> Catalogue = new(
        (SigningKeyRefusal.TooOpen, "signing-key-too-open"),
        (SigningKeyRefusal.Malformed, "signing-key-malformed"));

    public static string ToCode(this SigningKeyRefusal refusal) => Catalogue.ToCode(refusal);
}

/// <summary>A refused signing key: an <see cref="IOException"/> like every other key problem, its message led by the stable code.</summary>
internal sealed class SigningKeyException(SigningKeyRefusal refusal, string message) : IOException($"{refusal.ToCode()}: {message}")
{
    public SigningKeyRefusal Refusal { get; } = refusal;
}
