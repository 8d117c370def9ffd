using System.Text.Json;
using KeyAgentd.Core;

namespace KeyAgentd.Configuration;

/// <summary>
/// Where each configuration key's value is written in the JSON file (1-based line and byte column), so
/// an error about a value points at it. Reading the file for that also checks its syntax with the
/// configuration provider's own reader options (comments skipped, trailing commas allowed): a typo is
/// reported with its line and column, not as the provider's "Could not parse the JSON file".
/// </summary>
internal sealed class ConfigFilePositions
{
    private readonly Dictionary<string, (int Line, int Column)> _positions = new(StringComparer.OrdinalIgnoreCase);

    public (int Line, int Column)? Find(string key) => _positions.TryGetValue(key, out var at) ? at : null;

    /// <summary>Throws <see cref="SettingsException"/> naming path:line:column for a syntax error or a key written twice.</summary>
    public static ConfigFilePositions Read(string path, byte[] bytes)
    {
        var map = new ConfigFilePositions();
        var lines = new LineStarts(bytes);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var keys = new List<string>();
        var arrays = new Stack<int>();
        var containers = new Stack<bool>();
        string? property = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Error(path, lines.At(reader.TokenStartIndex), "the file must be one JSON object, { \"Registry\": { \"Url\": … } }");
            }
            containers.Push(false);
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        continue;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        if (containers.Pop())
                        {
                            arrays.Pop();
                        }
                        if (keys.Count > 0)
                        {
                            keys.RemoveAt(keys.Count - 1);
                        }
                        continue;
                }
                string segment = property ?? "";
                if (containers.Peek())
                {
                    int index = arrays.Pop();
                    arrays.Push(index + 1);
                    segment = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                string key = string.Join(':', [.. keys, segment]);
                var at = lines.At(reader.TokenStartIndex);
                if (!map._positions.TryAdd(key, at))
                {
                    var first = map._positions[key];
                    throw Error(path, at, $"{SafeText.Escape(key, 120)} is set twice (first at line {first.Line}): keep one");
                }
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    keys.Add(segment);
                    bool array = reader.TokenType == JsonTokenType.StartArray;
                    containers.Push(array);
                    if (array)
                    {
                        arrays.Push(0);
                    }
                }
            }
        }
        catch (JsonException e)
        {
            int cut = e.Message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            string why = (cut > 0 ? e.Message[..cut] : e.Message).TrimEnd('.', ' ');
            throw new SettingsException(
                $"{path}:{(e.LineNumber ?? 0) + 1}:{(e.BytePositionInLine ?? 0) + 1}: not valid JSON: {SafeText.Escape(why, 200)}; " +
                "fix the file there (a missing comma, quote or brace is the usual cause), then check it with `keyagentd config validate`", e);
        }
        return map;
    }

    private static SettingsException Error(string path, (int Line, int Column) at, string message) =>
        new($"{path}:{at.Line}:{at.Column}: {message}");

    /// <summary>Byte offsets where each line starts, for offset → line and column.</summary>
    private sealed class LineStarts
    {
        private readonly List<long> _starts = [0];

        public LineStarts(byte[] bytes)
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] == (byte)'\n')
                {
                    _starts.Add(i + 1);
                }
            }
        }

        public (int Line, int Column) At(long offset)
        {
            int index = _starts.BinarySearch(offset);
            int line = index >= 0 ? index : ~index - 1;
            return (line + 1, (int)(offset - _starts[line]) + 1);
        }
    }
}
