using System.Text;
using System.Text.Json;

namespace KeyAgentd.Core.Snapshot;

/// <summary>Typed field readers: every failure names the JSON path, so the registry's author can find it.</summary>
public static partial class RegistrySnapshotParser
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    /// <summary>
    /// One value of the document by where it lies, read again from the bytes when it is needed: the document is
    /// never held as a tree (a tree of a 10,000-account document is several times its bytes). Only made once the
    /// whole document passed <see cref="CheckSyntax"/>, so reading one again cannot meet a syntax error.
    /// </summary>
    private readonly struct Node
    {
        private readonly ReadOnlyMemory<byte> _document;
        private readonly int _start;
        private readonly int _end;

        public Node(ReadOnlyMemory<byte> document, int start, int end, JsonTokenType kind)
        {
            _document = document;
            _start = start;
            _end = end;
            Kind = kind;
        }

        public JsonTokenType Kind { get; }

        /// <summary>A reader on this value's first token.</summary>
        public Utf8JsonReader Open()
        {
            var reader = new Utf8JsonReader(_document.Span[_start.._end], ReaderOptions);
            reader.Read();
            return reader;
        }

        /// <summary>A string's bytes between its quotes, exactly as the document has them (only meaningful when it has no escapes).</summary>
        public ReadOnlyMemory<byte> StringBytes => _document[(_start + 1)..(_end - 1)];

        /// <summary>An object's members in document order (names unescaped).</summary>
        public List<(string Name, Node Value)> Members()
        {
            var members = new List<(string, Node)>();
            var reader = Open();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                reader.Read();
                members.Add((name, Capture(ref reader)));
            }
            return members;
        }

        /// <summary>An array's items in document order.</summary>
        public List<Node> Items()
        {
            var items = new List<Node>();
            var reader = Open();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                items.Add(Capture(ref reader));
            }
            return items;
        }

        /// <summary>The value the reader is on, which it then steps over.</summary>
        private Node Capture(ref Utf8JsonReader reader)
        {
            int start = _start + (int)reader.TokenStartIndex;
            var kind = reader.TokenType;
            reader.Skip();
            return new Node(_document, start, _start + (int)reader.BytesConsumed, kind);
        }
    }

    private static Node Required(List<(string Name, Node Value)> obj, string name, string parentPath)
    {
        if (!TryGet(obj, name, out var value))
        {
            string path = parentPath.Length == 0 ? name : parentPath + "." + name;
            throw Fail(SnapshotError.MissingField, $"{path}: required field is missing");
        }
        return value;
    }

    /// <summary>Absent and null both mean "not given": generators commonly write null for unset optional fields.</summary>
    private static bool Optional(List<(string Name, Node Value)> obj, string name, out Node value) =>
        TryGet(obj, name, out value) && value.Kind != JsonTokenType.Null;

    /// <summary>Names are unique here (<see cref="CheckSyntax"/> refused duplicates), and the objects that are searched are small.</summary>
    private static bool TryGet(List<(string Name, Node Value)> obj, string name, out Node value)
    {
        foreach (var member in obj)
        {
            if (member.Name == name)
            {
                value = member.Value;
                return true;
            }
        }
        value = default;
        return false;
    }

    private static string ReadString(Node node, string path) =>
        node.Kind == JsonTokenType.String
            ? node.Open().GetString()!
            : throw Fail(SnapshotError.InvalidField, $"{path}: expected a string, got {Describe(node.Kind)}");

    /// <summary>
    /// A name that is (most often) already a key of <paramref name="known"/>: the very string that key is, so a
    /// grant repeated on thousands of accounts is held once. An escaped one is read as any string (a lone
    /// surrogate escape is refused there, as everywhere).
    /// </summary>
    private static string ReadShared(Node node, string path, Dictionary<string, RegistryPerson>.AlternateLookup<ReadOnlySpan<char>> known)
    {
        if (node.Kind != JsonTokenType.String)
        {
            return ReadString(node, path);
        }
        var reader = node.Open();
        if (!reader.ValueIsEscaped && reader.ValueSpan.Length <= 256)
        {
            Span<char> name = stackalloc char[256];
            int length = reader.CopyString(name);
            if (known.TryGetValue(name[..length], out string? shared, out _))
            {
                return shared;
            }
        }
        return reader.GetString()!;
    }

    private static List<(string Name, Node Value)> ReadObject(Node node, string path) =>
        node.Kind == JsonTokenType.StartObject
            ? node.Members()
            : throw Fail(SnapshotError.InvalidField, $"{path}: expected an object, got {Describe(node.Kind)}");

    private static List<Node> ReadArray(Node node, string path) =>
        node.Kind == JsonTokenType.StartArray
            ? node.Items()
            : throw Fail(SnapshotError.InvalidField, $"{path}: expected an array, got {Describe(node.Kind)}");

    private static long ReadSerial(Node node)
    {
        // TryGetInt64 refuses fractions, exponents and anything beyond 64 bits, so "1e3" or a
        // 30-digit serial cannot be rounded into a value that passes the rollback check.
        if (!TryReadInt64(node, out long serial) || serial < 0)
        {
            string shown = node.Kind == JsonTokenType.Number ? SafeText.Escape(Encoding.UTF8.GetString(node.Open().ValueSpan), 40) : Describe(node.Kind);
            throw Fail(SnapshotError.InvalidField, $"serial: expected a non-negative integer, got {shown}");
        }
        return serial;
    }

    private static bool TryReadInt64(Node node, out long value)
    {
        value = 0;
        return node.Kind == JsonTokenType.Number && node.Open().TryGetInt64(out value);
    }

    private static bool TryReadInt32(Node node, out int value)
    {
        value = 0;
        return node.Kind == JsonTokenType.Number && node.Open().TryGetInt32(out value);
    }

    /// <summary>
    /// ISO 8601 with an explicit offset: a time without one would mean the host's local time,
    /// and the same registry would then expire keys at different instants on different hosts.
    /// </summary>
    private static DateTimeOffset ReadDate(Node node, string path)
    {
        string text = ReadString(node, path);
        if (!node.Open().TryGetDateTimeOffset(out var when) || !HasExplicitOffset(text))
        {
            throw Fail(SnapshotError.InvalidField, $"{path}: expected an ISO 8601 date-time with offset such as 2027-06-01T00:00:00Z, got \"{SafeText.Escape(text, 60)}\"");
        }
        return when;
    }

    private static bool HasExplicitOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') ||
        (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':' && text.Contains('T', StringComparison.OrdinalIgnoreCase));

    /// <summary>"accounts.deploy"; names that would make the path ambiguous or unreadable are quoted and escaped.</summary>
    private static string Child(string parent, string name)
    {
        bool plain = name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '@' or '+');
        string segment = plain ? name : $"[\"{SafeText.Escape(name, 64)}\"]";
        if (parent.Length == 0)
        {
            return segment;
        }
        return plain ? parent + "." + segment : parent + segment;
    }

    private static string Describe(JsonTokenType kind) => kind switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "nothing",
    };

    private static SnapshotFormatException Fail(string code, string message) => new(new SnapshotError(code, message));
}
