using KeyAgentd.Configuration;

namespace KeyAgentd.Tests.Configuration;

/// <summary>The one reading of a duration (configuration, environment, command line): what operators write, nothing else.</summary>
public sealed class DurationsTests
{
    [Theory]
    [InlineData("60", 60)]
    [InlineData(" 30 ", 30)]
    [InlineData("90s", 90)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("2d", 172800)]
    [InlineData("00:01:00", 60)]
    [InlineData("1:30:00", 5400)]
    [InlineData("1.00:00:00", 86400)]
    [InlineData("00:00:00.5", 0.5)]
    [InlineData("0", 0)]
    public void Reads_seconds_units_and_full_timespans(string text, double seconds)
    {
        Assert.True(Durations.TryParse(text, out var value), text);
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("60x")]
    [InlineData("1.5")]
    [InlineData("1.5h")]
    [InlineData("01:00")]
    [InlineData("-5")]
    [InlineData("-00:00:05")]
    [InlineData("5 m")]
    [InlineData("5M")]
    [InlineData("1e3")]
    [InlineData("PT1M")]
    [InlineData("00:60:00")]
    [InlineData("99999999999999")]
    public void Refuses_everything_else(string text) => Assert.False(Durations.TryParse(text, out _), text);

    [Fact]
    public void Formats_back_to_a_form_it_reads()
    {
        var value = TimeSpan.FromSeconds(90061);
        Assert.Equal("1.01:01:01", Durations.Format(value));
        Assert.True(Durations.TryParse(Durations.Format(value), out var back));
        Assert.Equal(value, back);
    }
}
