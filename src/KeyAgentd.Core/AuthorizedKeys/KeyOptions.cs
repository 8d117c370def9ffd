using System.Collections;

namespace KeyAgentd.Core.AuthorizedKeys;

/// <summary>The ordered options of one line; equality is element-wise.</summary>
public sealed class KeyOptions : IReadOnlyList<KeyOption>, IEquatable<KeyOptions>
{
    public static readonly KeyOptions Empty = new([]);

    private readonly KeyOption[] _options;

    public KeyOptions(IEnumerable<KeyOption> options)
    {
        _options = options.ToArray();
    }

    public int Count => _options.Length;

    public KeyOption this[int index] => _options[index];

    public bool Contains(string name) => _options.Any(o => o.Name == name);

    public string? ValueOf(string name) => _options.FirstOrDefault(o => o.Name == name)?.Value;

    /// <summary>
    /// The earliest expiry-time, as sshd applies it (several clauses: the earliest wins).
    /// Null when there is none. Values were validated at parse time. A value without 'Z' is in
    /// <paramref name="localZone"/>: sshd reads it in the host's zone, so the caller at the edge
    /// passes that zone; the core never looks it up itself.
    /// </summary>
    public DateTimeOffset? ExpiryTime(TimeZoneInfo localZone)
    {
        DateTimeOffset? earliest = null;
        foreach (var option in _options)
        {
            if (option.Name == "expiry-time" && option.Value is { } value &&
                ExpiryTimeFormat.TryParse(value, localZone, out var when) &&
                (earliest is null || when < earliest))
            {
                earliest = when;
            }
        }
        return earliest;
    }

    public KeyOptions With(KeyOption option) => new(_options.Append(option));

    public string Render() => KeyOptionsRenderer.Render(this);

    public IEnumerator<KeyOption> GetEnumerator() => ((IEnumerable<KeyOption>)_options).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(KeyOptions? other) => other is not null && _options.SequenceEqual(other._options);

    public override bool Equals(object? obj) => Equals(obj as KeyOptions);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var option in _options)
        {
            hash.Add(option);
        }
        return hash.ToHashCode();
    }

    public override string ToString() => Render();
}
