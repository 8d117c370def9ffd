using System.Text;

namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// A key as the registry states it. <see cref="Key"/> is untrusted text (it may be an RFC 4716
/// block pasted into a portal); <see cref="Owner"/> names who holds a key given directly to an
/// account, since such a key has no person to name it. <see cref="Source"/> is audit only: where the
/// registry builder got a key that was not written in its tree (a <c>.keys</c> URL); hosts ignore it.
/// </summary>
/// <remarks>
/// A parsed document keeps each key's text as its UTF-8 bytes in the document (a host holds tens of thousands
/// of keys between cycles; as strings they were twice the document's size): <see cref="Key"/> decodes them
/// when asked. Equal keys are equal however they are held.
/// </remarks>
public sealed record RegistryKey
{
    private readonly string? _key;
    private readonly ReadOnlyMemory<byte> _keyUtf8;

    public RegistryKey(string Key, string? Label, DateTimeOffset? NotAfter, string? Owner)
    {
        _key = Key;
        this.Label = Label;
        this.NotAfter = NotAfter;
        this.Owner = Owner;
    }

    /// <param name="keyUtf8">Valid UTF-8 that is not to change while this key is in use (the document's own bytes).</param>
    internal RegistryKey(ReadOnlyMemory<byte> keyUtf8, string? label, DateTimeOffset? notAfter, string? owner)
    {
        _keyUtf8 = keyUtf8;
        Label = label;
        NotAfter = notAfter;
        Owner = owner;
    }

    public string Key
    {
        get => _key ?? Encoding.UTF8.GetString(_keyUtf8.Span);
        init
        {
            _key = value;
            _keyUtf8 = default;
        }
    }

    public string? Label { get; init; }

    public DateTimeOffset? NotAfter { get; init; }

    public string? Owner { get; init; }

    public string? Source { get; init; }

    public void Deconstruct(out string key, out string? label, out DateTimeOffset? notAfter, out string? owner) =>
        (key, label, notAfter, owner) = (Key, Label, NotAfter, Owner);

    public bool Equals(RegistryKey? other) =>
        other is not null && SameKeyText(other) && Label == other.Label && NotAfter == other.NotAfter && Owner == other.Owner && Source == other.Source;

    public override int GetHashCode() => HashCode.Combine(Key, Label, NotAfter, Owner, Source);

    private bool SameKeyText(RegistryKey other) =>
        _key is null && other._key is null ? _keyUtf8.Span.SequenceEqual(other._keyUtf8.Span) : Key == other.Key;
}
