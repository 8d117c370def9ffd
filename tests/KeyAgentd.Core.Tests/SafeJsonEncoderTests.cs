using System.Text;
using System.Text.Json;

namespace KeyAgentd.Core.Tests;

public class SafeJsonEncoderTests
{
    private static string Write(string value)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = SafeJsonEncoder.Instance }))
        {
            writer.WriteStringValue(value);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Theory]
    [InlineData("AAAAC3NzaC1lZDI1NTE5AAAAI+/x=", "\"AAAAC3NzaC1lZDI1NTE5AAAAI+/x=\"")]
    [InlineData("<a href='x'>&`", "\"<a href='x'>&`\"")]
    [InlineData("Zoë ✓ 🔑", "\"Zoë ✓ 🔑\"")]
    [InlineData("q\"b\\", "\"q\\\"b\\\\\"")]
    [InlineData("a\nb\r\tc\u0001", "\"a\\nb\\r\\tc\\u0001\"")]
    [InlineData("\u001b[2J\u007f\u0085\u009b\u2028\u2029", "\"\\u001B[2J\\u007F\\u0085\\u009B\\u2028\\u2029\"")]
    public void Escapes_only_what_json_and_terminals_require(string value, string expected) => Assert.Equal(expected, Write(value));

    [Fact]
    public void A_lone_surrogate_never_reaches_the_output_raw()
    {
        string json = Write("x\ud800y");
        Assert.DoesNotContain('\ud800', json);
        Assert.StartsWith("\"x", json, StringComparison.Ordinal);
    }

    [Fact]
    public void What_it_writes_reads_back_unchanged()
    {
        const string value = "key+/= \u009b\u2028 \"q\" \\ é 🔑";
        Assert.Equal(value, JsonSerializer.Deserialize<string>(Write(value)));
    }
}
