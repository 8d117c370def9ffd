using System.Buffers;
using System.Text.Json;
using KeyAgentd.Storage;
using Mono.Unix.Native;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// A source's answer kept for the next build in the registry-side state directory (--state-dir, never
/// inside --out: nothing a web server or bucket holds is read back as state). One JSON object tagged
/// with its schema, written durably, owner-only (0600). Read back, it is untrusted like any input:
/// it must be a regular file of ours that nobody else can write, of our schema, and whole; otherwise
/// it is ignored with a warning and the source is asked again. It only ever saves work or bridges an outage.
/// </summary>
internal static class KeptAnswerFile
{
    /// <summary>Far above any answer (a 10,000-person directory is a few MiB); a larger file is not one of ours.</summary>
    private const int MaxBytes = 256 * 1024 * 1024;

    public static void Write(string path, string schema, Action<Utf8JsonWriter> fields)
    {
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("schema", schema);
            fields(writer);
            writer.WriteEndObject();
        }
        DurableFile.WriteAllBytes(path, json.WrittenSpan.ToArray(), Posix.Mode0600);
    }

    /// <param name="damage">why a file that exists was not used (null when it was used, or there is none)</param>
    public static bool TryRead<T>(string path, string schema, Func<JsonElement, T> read, out T? value, out string? damage)
    {
        (value, damage) = (default, null);
        byte[]? bytes;
        try
        {
            bytes = ReadOwnFile(path, out damage);
        }
        catch (IOException e)
        {
            damage = $"cannot be read ({e.Message})";
            return false;
        }
        if (bytes is null)
        {
            return false;
        }
        try
        {
            using var json = JsonDocument.Parse(bytes);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("schema", out var tag) || tag.ValueKind != JsonValueKind.String || tag.GetString() != schema)
            {
                damage = $"is not a {schema} file";
                return false;
            }
            value = read(root)!;
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            damage = $"is damaged ({e.GetType().Name})";
            return false;
        }
    }

    /// <summary>The kept file's bytes if it is a regular file of this user that only it can write, and not too large; else null and why (null when there is none).</summary>
    private static byte[]? ReadOwnFile(string path, out string? damage)
    {
        damage = null;
        using var fd = Posix.TryOpenRegular(path, out Stat st, out string? notRegular);
        if (fd is null)
        {
            damage = notRegular is null ? null : $"is not a regular file of this user that only it can write ({notRegular})";
            return null;
        }
        if (st.st_uid != Syscall.geteuid() || (Posix.PermissionBits(st) & Posix.GroupOrWorldWritable) != 0)
        {
            damage = $"is not a regular file of this user that only it can write ({Posix.Describe(st)}, owner {st.st_uid}, mode {Posix.Octal(st)})";
            return null;
        }
        byte[] bytes = Posix.ReadBounded(fd, MaxBytes, st.st_size, path, out bool tooLarge);
        if (tooLarge)
        {
            damage = "is larger than any answer this build keeps";
            return null;
        }
        return bytes;
    }
}
