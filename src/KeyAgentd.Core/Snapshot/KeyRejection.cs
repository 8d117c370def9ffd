using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// A registry entry that will not reach an account, with the owner to tell. <see cref="KeyText"/>
/// is escaped and capped (<see cref="MaxKeyTextLength"/>) because it is untrusted and goes to
/// logs and terminals; <see cref="Fingerprint"/> is set whenever the key itself decoded.
/// </summary>
public sealed record KeyRejection(string Account, string Owner, string? Label, string KeyText, string? Fingerprint, Verdict Verdict)
{
    public const int MaxKeyTextLength = 200;

    public static KeyRejection Create(string account, string owner, string? label, string keyText, string? fingerprint, Verdict verdict) =>
        new(account, owner, label, SafeText.Escape(keyText, MaxKeyTextLength), fingerprint, verdict);

    public override string ToString() =>
        $"{SafeText.Escape(Account, 64)} {SafeText.Escape(Owner, 128)}" +
        (Label is null ? "" : $" ({SafeText.Escape(Label, 64)})") +
        (Fingerprint is null ? "" : $" {Fingerprint}") +
        $" {Verdict.Code}: {SafeText.Escape(Verdict.Message, 300)}";
}
