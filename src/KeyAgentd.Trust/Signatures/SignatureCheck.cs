namespace KeyAgentd.Trust.Signatures;

/// <summary>The cryptographic verdict on one signature: valid, or why not (for the operator, not for code).</summary>
public readonly record struct SignatureCheck(bool IsValid, string? Error)
{
    public static SignatureCheck Valid => new(true, null);

    public static SignatureCheck Invalid(string error) => new(false, error);
}
