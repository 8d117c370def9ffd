using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using KeyAgentd.Core;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.Trust.Root;

/// <summary>
/// Reads a trust root document strictly. Unlike a snapshot, a root is not tolerant of unknown fields:
/// a field this host does not understand could be a restriction it would silently drop (a revoked
/// signer, a shorter validity), and a root that loosens nothing by accident is worth a new schema.
/// Duplicate names, wrong types, keys that do not decode, certificates, weak keys and thresholds
/// that no set of signers could meet are all refused (<see cref="RootReason.Malformed"/>).
/// </summary>
public static class TrustRootParser
{
    /// <summary>A root names a handful of people; a megabyte is far beyond any real one.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>The longest max_snapshot_validity_seconds a root may name: ten years, far beyond any sensible limit, no overflow.</summary>
    public static readonly TimeSpan MaxSnapshotValidityLimit = TimeSpan.FromSeconds(10L * 365 * 86400);

    private const int MaxDepth = 8;
    private const int MaxShown = 80;

    private static readonly System.Buffers.SearchValues<char> Base64Characters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

    private static readonly string[] TopFields = ["schema", "version", "expires_at", "root", "snapshot", "revoked_signers", "max_snapshot_validity_seconds"];

    public static bool TryParse(ReadOnlySpan<byte> utf8Json, int minRsaBits, [NotNullWhen(true)] out TrustRootDocument? document, [NotNullWhen(false)] out string? error)
    {
        try
        {
            document = Parse(utf8Json, minRsaBits);
            error = null;
            return true;
        }
        catch (TrustRootFormatException e)
        {
            document = null;
            error = e.Message;
            return false;
        }
    }

    /// <exception cref="TrustRootFormatException">The document is not a valid root; the message says why.</exception>
    public static TrustRootDocument Parse(ReadOnlySpan<byte> utf8Json, int minRsaBits)
    {
        if (utf8Json.Length > MaxBytes)
        {
            throw new TrustRootFormatException($"the document is {utf8Json.Length} bytes, more than the {MaxBytes} a root may have");
        }
        if (!Utf8.IsValid(utf8Json))
        {
            throw new TrustRootFormatException("the document is not valid UTF-8");
        }
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            throw new TrustRootFormatException($"not JSON: {SafeText.Escape(e.Message, 200)}");
        }
        using (json)
        {
            try
            {
                var document = Read(json.RootElement, minRsaBits);
                TrustRootRules.CheckStructure(document);
                return document;
            }
            catch (InvalidOperationException e)
            {
                // A string escape that is not valid UTF-16 (a lone \uD800) parses but cannot be read.
                throw new TrustRootFormatException(SafeText.Escape(e.Message, 200));
            }
        }
    }

    private static TrustRootDocument Read(JsonElement root, int minRsaBits)
    {
        var top = Object(root, "the document", TopFields);
        string schema = String(Required(top, "schema", "$"), "schema");
        if (schema != TrustRootDocument.Schema)
        {
            throw new TrustRootFormatException($"schema is \"{SafeText.Escape(schema, MaxShown)}\", expected \"{TrustRootDocument.Schema}\"");
        }
        long version = Integer(Required(top, "version", "$"), "version", 1, 1L << 53);
        var expires = Date(Required(top, "expires_at", "$"), "expires_at");

        var rootSection = Object(Required(top, "root", "$"), "root", ["threshold", "keys"]);
        int rootThreshold = (int)Integer(Required(rootSection, "threshold", "root"), "root.threshold", 1, 64);
        var rootKeys = Array(Required(rootSection, "keys", "root"), "root.keys").Select((k, i) => ReadRootKey(k, $"root.keys[{i}]", minRsaBits)).ToList();

        var snapshotSection = Object(Required(top, "snapshot", "$"), "snapshot", ["threshold", "signers"]);
        int snapshotThreshold = (int)Integer(Required(snapshotSection, "threshold", "snapshot"), "snapshot.threshold", 1, 64);
        var signers = Array(Required(snapshotSection, "signers", "snapshot"), "snapshot.signers")
            .Select((s, i) => ReadSigner(s, $"snapshot.signers[{i}]", minRsaBits)).ToList();

        var revoked = top.TryGetValue("revoked_signers", out var r)
            ? Array(r, "revoked_signers").Select((f, i) => Fingerprint(f, $"revoked_signers[{i}]")).ToList()
            : [];
        TimeSpan? maxValidity = top.TryGetValue("max_snapshot_validity_seconds", out var v)
            ? TimeSpan.FromSeconds(Integer(v, "max_snapshot_validity_seconds", 1, (long)MaxSnapshotValidityLimit.TotalSeconds))
            : null;
        return new TrustRootDocument(version, expires, rootThreshold, rootKeys, snapshotThreshold, signers, revoked, maxValidity);
    }

    private static RootKey ReadRootKey(JsonElement element, string where, int minRsaBits)
    {
        var fields = Object(element, where, ["principal", "key"]);
        string principal = String(Required(fields, "principal", where), $"{where}.principal");
        TrustRootRules.CheckPrincipal(principal, $"{where}.principal");
        var (key, comment) = Key(Required(fields, "key", where), $"{where}.key", minRsaBits);
        return new RootKey(principal, key, comment);
    }

    private static SnapshotSigner ReadSigner(JsonElement element, string where, int minRsaBits)
    {
        var fields = Object(element, where, ["principals", "key", "valid_after", "valid_before"]);
        string principals = String(Required(fields, "principals", where), $"{where}.principals");
        foreach (string principal in principals.Split(','))
        {
            TrustRootRules.CheckPrincipal(principal, $"{where}.principals");
        }
        var (key, comment) = Key(Required(fields, "key", where), $"{where}.key", minRsaBits);
        DateTimeOffset? after = fields.TryGetValue("valid_after", out var a) ? Date(a, $"{where}.valid_after") : null;
        DateTimeOffset? before = fields.TryGetValue("valid_before", out var b) ? Date(b, $"{where}.valid_before") : null;
        return new SnapshotSigner(principals, key, after, before, comment);
    }

    /// <summary>"type base64 [comment]": the key decoded by the one key engine, then held to the signer rules.</summary>
    private static (SshPublicKey Key, string? Comment) Key(JsonElement element, string where, int minRsaBits)
    {
        string text = String(element, where);
        string[] parts = text.Split(' ', 3);
        if (parts.Length < 2 || SafeText.ContainsControl(text))
        {
            throw new TrustRootFormatException($"{where} is not \"type base64 [comment]\": \"{SafeText.Escape(text, MaxShown)}\"");
        }
        SshPublicKey key;
        try
        {
            key = SshPublicKeyDecoder.Decode(parts[0], parts[1]);
        }
        catch (KeyFormatException e)
        {
            throw new TrustRootFormatException($"{where}: {e.Message}");
        }
        TrustRootRules.CheckSignerKey(key, where, minRsaBits);
        return (key, parts.Length == 3 && parts[2].Length > 0 ? parts[2] : null);
    }

    private static string Fingerprint(JsonElement element, string where)
    {
        string text = String(element, where);
        if (!text.StartsWith("SHA256:", StringComparison.Ordinal) || text.Length != 50
            || text.AsSpan(7).ContainsAnyExcept(Base64Characters))
        {
            throw new TrustRootFormatException($"{where} is not a SHA256 key fingerprint: \"{SafeText.Escape(text, MaxShown)}\"");
        }
        return text;
    }

    private static Dictionary<string, JsonElement> Object(JsonElement element, string where, string[] known)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new TrustRootFormatException($"{where} is {Describe(element.ValueKind)}, not an object");
        }
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new TrustRootFormatException($"{where} has an unknown field \"{SafeText.Escape(property.Name, MaxShown)}\" (a root is read strictly: a field not understood could be a restriction lost)");
            }
            if (!fields.TryAdd(property.Name, property.Value))
            {
                throw new TrustRootFormatException($"{where} has the field \"{property.Name}\" twice");
            }
        }
        return fields;
    }

    private static JsonElement Required(Dictionary<string, JsonElement> fields, string name, string where) =>
        fields.TryGetValue(name, out var value) ? value : throw new TrustRootFormatException($"{(where == "$" ? "the document" : where)} has no \"{name}\"");

    private static List<JsonElement> Array(JsonElement element, string where) =>
        element.ValueKind == JsonValueKind.Array
            ? [.. element.EnumerateArray()]
            : throw new TrustRootFormatException($"{where} is {Describe(element.ValueKind)}, not an array");

    private static string String(JsonElement element, string where) =>
        element.ValueKind == JsonValueKind.String
            ? element.GetString()!
            : throw new TrustRootFormatException($"{where} is {Describe(element.ValueKind)}, not a string");

    private static long Integer(JsonElement element, string where, long min, long max)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out long value))
        {
            throw new TrustRootFormatException($"{where} is not an integer");
        }
        return value >= min && value <= max ? value : throw new TrustRootFormatException($"{where} is {value}, outside {min}..{max}");
    }

    /// <summary>RFC 3339 in UTC with a 'Z', to the second: one spelling per instant, so the writer's bytes are canonical.</summary>
    private static DateTimeOffset Date(JsonElement element, string where)
    {
        string text = String(element, where);
        return DateTimeOffset.TryParseExact(text, TrustRootWriter.DateFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : throw new TrustRootFormatException($"{where} is \"{SafeText.Escape(text, MaxShown)}\", not a UTC time like 2027-01-31T00:00:00Z");
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "a boolean",
    };
}
