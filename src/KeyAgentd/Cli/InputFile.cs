using System.Text;
using KeyAgentd.Core;

namespace KeyAgentd.Cli;

/// <summary>Reads FILE or "-" (standard input) for the file-linting commands, with a size cap.</summary>
internal static class InputFile
{
    public const long MaxBytes = 256L * 1024 * 1024;

    /// <summary>Reads the input or reports why not on <paramref name="stderr"/>; the one place the file-linting commands read.</summary>
    public static bool TryReadAll(string path, TextWriter stderr, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text)
    {
        try
        {
            text = ReadAll(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"keyagentd: {SafeText.Escape(path)}: {SafeText.Escape(e.Message)}");
            text = null;
            return false;
        }
    }

    /// <summary>The input as text, decoded as every reading command decodes it (UTF-8, bad bytes replaced, a BOM honoured).</summary>
    public static StreamReader OpenText(string path)
    {
        Stream stream = path == "-" ? Console.OpenStandardInput() : File.OpenRead(path);
        return new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    public static string ReadAll(string path)
    {
        using var reader = OpenText(path);
        var buffer = new char[1 << 16];
        var text = new StringBuilder();
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            text.Append(buffer, 0, read);
            if (text.Length > MaxBytes)
            {
                throw new IOException($"{path} is larger than {MaxBytes} bytes");
            }
        }
        return text.ToString();
    }
}
