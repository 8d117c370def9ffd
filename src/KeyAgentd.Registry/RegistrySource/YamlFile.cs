using System.Diagnostics.CodeAnalysis;
using KeyAgentd.Core.Source;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// Reads one YAML file of a source tree into nodes, and the small typed accessors the readers use.
/// Every problem names the file, line and column; a bad entry is reported and skipped, never the
/// whole file (except a syntax error, after which nothing in the file can be trusted).
/// </summary>
internal sealed class YamlFile(string name, List<SourceProblem> problems)
{
    public string Name { get; } = name;

    public bool TryLoad(string text, [NotNullWhen(true)] out YamlNode? root)
    {
        root = null;
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            string message = e.InnerException is { } inner && inner.Message.Length > 0 ? inner.Message : e.Message;
            SyntaxError(new SourceLocation(Name, (int)e.Start.Line, (int)e.Start.Column), StripMark(message));
            return false;
        }
        catch (InvalidOperationException)
        {
            // Some malformed input (an unclosed flow sequence) stops the scanner without a YamlException;
            // the last event it produced is the nearest place to point at.
            var mark = parser.Current?.End ?? Mark.Empty;
            SyntaxError(new SourceLocation(Name, (int)mark.Line, (int)mark.Column), "the YAML is malformed after this point");
            return false;
        }
        if (stream.Documents.Count == 0)
        {
            return false;
        }
        if (stream.Documents.Count > 1)
        {
            problems.Add(SourceProblem.Error(At(stream.Documents[1].RootNode), SourceReason.InvalidYaml, "more than one YAML document", "remove the '---' separator"));
        }
        root = stream.Documents[0].RootNode;
        return root is not YamlScalarNode { Value: null or "" };
    }

    private void SyntaxError(SourceLocation location, string message) =>
        problems.Add(SourceProblem.Error(location, SourceReason.InvalidYaml, message,
            "fix the YAML syntax (indentation, quoting, an unclosed [ or {, a ':' inside an unquoted value)"));

    public SourceLocation At(YamlNode node) => new(Name, (int)node.Start.Line, (int)node.Start.Column);

    public YamlMappingNode? Mapping(YamlNode node, string what)
    {
        if (node is YamlMappingNode mapping)
        {
            return mapping;
        }
        if (node is YamlScalarNode { Value: null or "" } && node.Tag.IsEmpty)
        {
            return new YamlMappingNode();
        }
        Invalid(node, $"{what} must be a mapping (name: value)");
        return null;
    }

    public string? Scalar(YamlNode node, string what)
    {
        if (node is YamlScalarNode scalar && scalar.Value is { } value)
        {
            return value;
        }
        Invalid(node, $"{what} must be a single value");
        return null;
    }

    /// <summary>A list of names; a single value is accepted as a list of one (hosts: web-01).</summary>
    public List<SourceRef> Names(YamlNode node, string what)
    {
        var names = new List<SourceRef>();
        if (node is YamlScalarNode { Value: { Length: > 0 } single })
        {
            names.Add(new SourceRef(single, At(node)));
            return names;
        }
        if (node is not YamlSequenceNode sequence)
        {
            if (node is not YamlScalarNode { Value: null or "" })
            {
                Invalid(node, $"{what} must be a list of names");
            }
            return names;
        }
        foreach (var item in sequence)
        {
            if (Scalar(item, $"an entry of {what}") is { Length: > 0 } name)
            {
                names.Add(new SourceRef(name, At(item)));
            }
        }
        return names;
    }

    public DateTimeOffset? Date(YamlNode node, string what)
    {
        if (Scalar(node, what) is not { } text)
        {
            return null;
        }
        if (SourceDates.TryParse(text, out var date))
        {
            return date;
        }
        problems.Add(SourceProblem.Error(At(node), SourceReason.InvalidValue, $"{what} \"{text}\" is not a date", $"write {SourceDates.Expected}"));
        return null;
    }

    public void UnknownField(YamlNode key, string field, IEnumerable<string> known) =>
        problems.Add(SourceProblem.Error(At(key), SourceReason.UnknownField, $"unknown field \"{field}\"", $"the fields here are {string.Join(", ", known)}"));

    public void Invalid(YamlNode node, string message) =>
        problems.Add(SourceProblem.Error(At(node), SourceReason.InvalidValue, message, "see \"Registry source\" in docs/running-the-registry.md for the format"));

    /// <summary>YamlDotNet prefixes "(Line: …, Col: …)"; the location is already ours.</summary>
    private static string StripMark(string message)
    {
        int close = message.StartsWith("(Line:", StringComparison.Ordinal) ? message.IndexOf("): ", StringComparison.Ordinal) : -1;
        return close > 0 ? message[(close + 3)..] : message;
    }
}
