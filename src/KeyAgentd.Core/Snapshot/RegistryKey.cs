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

    /// <summary>What most keys do not have, held apart so that a plain key costs no room for it.</summary>
    private readonly Details? _details;

    private sealed record Details(string? Label, DateTimeOffset? NotAfter, string? Owner, string? Source)
    {
        public static readonly Details None = new(null, null, null, null);

        public Details? OrNull() => this == None ? null : this;
    }

    public RegistryKey(string Key, string? Label, DateTimeOffset? NotAfter, string? Owner)
    {
        _key = Key;
        _details = new Details(Label, NotAfter, Owner, null).OrNull();
    }

    /// <param name="keyUtf8">Valid UTF-8 that is not to change while this key is in use (the document's own bytes).</param>
    internal RegistryKey(ReadOnlyMemory<byte> keyUtf8, string? label, DateTimeOffset? notAfter, string? owner)
    {
        _keyUtf8 = keyUtf8;
        _details = new Details(label, notAfter, owner, null).OrNull();
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

    public string? Label
    {
        get => _details?.Label;
        init => _details = ((_details ?? Details.None) with { Label = value }).OrNull();
    }

    public DateTimeOffset? NotAfter
    {
        get => _details?.NotAfter;
        init => _details = ((_details ?? Details.None) with { NotAfter = value }).OrNull();
    }

    public string? Owner
    {
        get => _details?.Owner;
        init => _details = ((_details ?? Details.None) with { Owner = value }).OrNull();
    }

    public string? Source
    {
        get => _details?.Source;
        init => _details = ((_details ?? Details.None) with { Source = value }).OrNull();
    }

    public void Deconstruct(out string key, out string? label, out DateTimeOffset? notAfter, out string? owner) =>
        (key, label, notAfter, owner) = (Key, Label, NotAfter, Owner);

    public bool Equals(RegistryKey? other) =>
        other is not null && SameKeyText(other) && Equals(_details, other._details);

    public override int GetHashCode() => HashCode.Combine(Key, _details);

    private bool SameKeyText(RegistryKey other) =>
        _key is null && other._key is null ? _keyUtf8.Span.SequenceEqual(other._keyUtf8.Span) : Key == other.Key;
}
