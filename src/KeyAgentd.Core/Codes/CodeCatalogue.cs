using System.Diagnostics.CodeAnalysis;

namespace KeyAgentd.Core.Codes;

/// <summary>
/// The stable spellings of one enum, written once as (value, code) pairs: the one place a domain's codes
/// (reason codes, outcomes, audit actions, doctor codes…) are spelled, and the one <see cref="ToCode"/> and
/// <see cref="TryParse"/> over them. Plain tables, no reflection, so NativeAOT keeps every code; a
/// duplicate value or code fails the type's initialisation, and a test per domain checks that every enum
/// value has a code.
/// </summary>
public sealed class CodeCatalogue<T> where T : struct, Enum
{
    private readonly Dictionary<T, string> _codes = [];
    private readonly Dictionary<string, T> _values = new(StringComparer.Ordinal);

    public CodeCatalogue(params (T Value, string Code)[] entries)
    {
        foreach (var (value, code) in entries)
        {
            if (!_codes.TryAdd(value, code))
            {
                throw new ArgumentException($"{typeof(T).Name}.{value} is spelled twice", nameof(entries));
            }
            if (!_values.TryAdd(code, value))
            {
                throw new ArgumentException($"code '{code}' names two {typeof(T).Name} values", nameof(entries));
            }
        }
        Values = [.. entries.Select(e => e.Value)];
        Codes = [.. entries.Select(e => e.Code)];
    }

    /// <summary>Every value, in the order the catalogue lists them.</summary>
    public IReadOnlyList<T> Values { get; }

    /// <summary>Every code, in the order the catalogue lists them (what the docs must list).</summary>
    public IReadOnlyList<string> Codes { get; }

    public string ToCode(T value) =>
        _codes.TryGetValue(value, out var code) ? code : throw new ArgumentOutOfRangeException(nameof(value), value, null);

    /// <summary>Exact (ordinal) match: a code is compared the way monitoring and scripts compare it.</summary>
    public bool TryParse([NotNullWhen(true)] string? code, out T value)
    {
        if (code is not null && _values.TryGetValue(code, out value))
        {
            return true;
        }
        value = default;
        return false;
    }
}
