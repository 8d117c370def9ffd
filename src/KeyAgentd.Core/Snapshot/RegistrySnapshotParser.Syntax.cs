using System.Text.Json;

namespace KeyAgentd.Core.Snapshot;

public static partial class RegistrySnapshotParser
{
    /// <summary>
    /// The whole document's syntax, before any field is read: a syntax error anywhere refuses it, whatever comes
    /// before it. With it, every property name: JSON leaves duplicate names undefined and parsers disagree on
    /// which one wins, so a registry whose meaning depends on the reader is refused; and a name that is not
    /// valid UTF-16 (a lone \uD800) cannot be compared at all. Those are reported in document order, the
    /// first one found, and only when the syntax is sound. One pass, nothing of the document kept.
    /// </summary>
    private static SnapshotError? CheckSyntax(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
        var open = new List<Container>();
        int depth = 0;
        SnapshotError? firstProblem = null;
        try
        {
            while (reader.Read())
            {
                if (firstProblem is not null)
                {
                    continue;
                }
                try
                {
                    firstProblem = Step(ref reader, open, ref depth);
                }
                catch (InvalidOperationException e)
                {
                    firstProblem = new SnapshotError(SnapshotError.InvalidJson, SafeText.Escape(e.Message, 300));
                }
            }
        }
        catch (JsonException e)
        {
            return new SnapshotError(SnapshotError.InvalidJson, SafeText.Escape(e.Message, 300));
        }
        return firstProblem;
    }

    private static SnapshotError? Step(ref Utf8JsonReader reader, List<Container> open, ref int depth)
    {
        var token = reader.TokenType;
        if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
        {
            depth--;
            return null;
        }
        if (token == JsonTokenType.PropertyName)
        {
            var names = open[depth - 1];
            string name = reader.GetString()!;
            names.Current = name;
            return names.Names!.Add(name) ? null : new SnapshotError(SnapshotError.InvalidJson, $"{PathTo(open, depth)}: duplicate property name");
        }
        if (depth > 0 && open[depth - 1].Names is null)
        {
            open[depth - 1].Index++;
        }
        if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            // One container per depth, reused: the document's own nesting is all this holds.
            if (open.Count == depth)
            {
                open.Add(new Container());
            }
            open[depth++].Reset(token == JsonTokenType.StartObject);
        }
        return null;
    }

    /// <summary>The path of the current property, as the field readers name paths ("$" for the document itself).</summary>
    private static string PathTo(List<Container> open, int depth)
    {
        string path = "$";
        for (int i = 0; i < depth; i++)
        {
            var container = open[i];
            path = container.Names is not null
                ? Child(path == "$" ? "" : path, container.Current!)
                : $"{path}[{container.Index}]";
        }
        return path;
    }

    /// <summary>An object (its names so far, and the last) or an array (the index of its current item) on the way down.</summary>
    private sealed class Container
    {
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);

        public HashSet<string>? Names { get; private set; }

        public string? Current { get; set; }

        public int Index { get; set; }

        public void Reset(bool isObject)
        {
            _names.Clear();
            Names = isObject ? _names : null;
            Current = null;
            Index = -1;
        }
    }
}
