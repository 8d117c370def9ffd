using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Source;

/// <summary>
/// The header of a document found in an output or published directory: its serial, validity,
/// audience, build commit, content digest and removal approval, read from the header alone (a build
/// writes them before the body, so ten thousand large documents are not parsed in full). Every field
/// is untrusted: whoever can write the web root can write it. A build uses it only to re-render the
/// document it would write (<see cref="Restamp"/>) and compare bytes, never to decide on its own.
/// </summary>
public sealed record PublishedDocument(long Serial, DateTimeOffset ExpiresAt, string? ContentDigest)
{
    public DateTimeOffset? IssuedAt { get; init; }

    public IReadOnlyList<string>? Audience { get; init; }

    public string? Commit { get; init; }

    public RemovalApproval? RemovalApproval { get; init; }

    /// <summary>This document's metadata over another audience and content: what a build that kept its serial would write.</summary>
    public DocumentHeader Restamp(IReadOnlyList<string> audience, string contentDigest) =>
        new(Serial, IssuedAt ?? ExpiresAt, ExpiresAt, audience, contentDigest) { Commit = Commit, RemovalApproval = RemovalApproval };

    public static bool TryRead(ReadOnlySpan<byte> json, [NotNullWhen(true)] out PublishedDocument? document)
    {
        document = null;
        long? serial = null;
        DateTimeOffset? expires = null;
        DateTimeOffset? issued = null;
        List<string>? audience = null;
        string? digest = null;
        string? commit = null;
        RemovalApproval? approval = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                if (name == "people")
                {
                    break;
                }
                reader.Read();
                switch (name)
                {
                    case "serial" when reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value):
                        serial = value;
                        break;
                    case "expires_at" when Time(ref reader) is { } at:
                        expires = at;
                        break;
                    case "issued_at" when Time(ref reader) is { } at:
                        issued = at;
                        break;
                    case "audience" when reader.TokenType == JsonTokenType.StartArray:
                        audience = [];
                        while (reader.Read() && reader.TokenType == JsonTokenType.String)
                        {
                            audience.Add(reader.GetString()!);
                        }
                        break;
                    case "build" when reader.TokenType == JsonTokenType.StartObject:
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            string field = reader.GetString()!;
                            reader.Read();
                            if (reader.TokenType == JsonTokenType.String)
                            {
                                (digest, commit) = field switch { "content" => (reader.GetString(), commit), "commit" => (digest, reader.GetString()), _ => (digest, commit) };
                            }
                            reader.Skip();
                        }
                        break;
                    case "removal_approval" when reader.TokenType == JsonTokenType.StartObject:
                        approval = Approval(ref reader);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }
        if (serial is null || expires is null)
        {
            return false;
        }
        document = new PublishedDocument(serial.Value, expires.Value, digest) { IssuedAt = issued, Audience = audience, Commit = commit, RemovalApproval = approval };
        return true;
    }

    private static DateTimeOffset? Time(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String &&
        DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    /// <summary>The approval as the builder writes it (serial, max_removed_keys, reason); anything else reads as none, so the re-rendered bytes differ.</summary>
    private static RemovalApproval? Approval(ref Utf8JsonReader reader)
    {
        long? serial = null;
        int? max = null;
        string? reason = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string field = reader.GetString()!;
            reader.Read();
            switch (field)
            {
                case "serial" when reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long s):
                    serial = s;
                    break;
                case "max_removed_keys" when reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int m):
                    max = m;
                    break;
                case "reason" when reader.TokenType == JsonTokenType.String:
                    reason = reader.GetString();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return serial is { } a && max is { } b && reason is { } c ? new RemovalApproval(a, b, c) : null;
    }
}
