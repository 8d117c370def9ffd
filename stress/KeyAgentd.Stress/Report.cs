namespace KeyAgentd.Stress;

/// <summary>One row of the summary table: a case group, how many cases ran, and its must-be-zero figures.</summary>
public sealed class GroupResult(string name)
{
    public string Name { get; } = name;

    public long Cases { get; set; }

    public long Failures => MustBeZero.Values.Sum();

    /// <summary>Figure name → count; every one of these must stay 0.</summary>
    public SortedDictionary<string, long> MustBeZero { get; } = new(StringComparer.Ordinal);

    /// <summary>Informational figures (attempts, timings, memory).</summary>
    public List<string> Notes { get; } = [];

    public List<string> Examples { get; } = [];

    public void Zero(params string[] names)
    {
        foreach (string n in names)
        {
            MustBeZero.TryAdd(n, 0);
        }
    }

    public void Fail(string figure, string example)
    {
        MustBeZero[figure] = MustBeZero.GetValueOrDefault(figure) + 1;
        if (Examples.Count < 10)
        {
            Examples.Add($"{figure}: {example}");
        }
    }

    public void Note(string note) => Notes.Add(note);
}
