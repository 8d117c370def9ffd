using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace KeyAgentd.Core.Source;

/// <summary>
/// What the next build needs from a document it published before: its serial, validity and content
/// digest, read from the header alone (a build writes them before the body, so ten thousand large
/// documents are not parsed in full). A document it cannot read this way is simply rebuilt.
/// </summary>
public sealed record PublishedDocument(long Serial, DateTimeOffset ExpiresAt, string? ContentDigest)
{
    public static bool TryRead(ReadOnlySpan<byte> json, [NotNullWhen(true)] out PublishedDocument? document)
    {
        document = null;
        long? serial = null;
        DateTimeOffset? expires = null;
        string? digest = null;
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
                    case "expires_at" when reader.TokenType == JsonTokenType.String &&
                        DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at):
                        expires = at;
                        break;
                    case "build" when reader.TokenType == JsonTokenType.StartObject:
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            bool isContent = reader.ValueTextEquals("content");
                            reader.Read();
                            if (isContent && reader.TokenType == JsonTokenType.String)
                            {
                                digest = reader.GetString();
                            }
                            reader.Skip();
                        }
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
        document = new PublishedDocument(serial.Value, expires.Value, digest);
        return true;
    }
}
