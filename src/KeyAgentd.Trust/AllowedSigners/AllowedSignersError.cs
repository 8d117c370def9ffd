using KeyAgentd.Core.Keys;

namespace KeyAgentd.Trust.AllowedSigners;

/// <summary>A line of an allowed_signers file that grants nothing, and why.</summary>
/// <param name="Key">The key the line names when that part of it decoded (the fault is in its options), so a
/// signature by that key can be refused for this line rather than as from a signer nobody listed.</param>
public sealed record AllowedSignersError(int LineNumber, string Message, SshPublicKey? Key = null)
{
    public override string ToString() => $"line {LineNumber}: {Message}";
}
