using KeyAgentd.Core.Codes;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Source;

namespace KeyAgentd.Core.Tests.Codes;

public class CodeCatalogueTests
{
    private enum Colour
    {
        Red,
        Green,
        Blue,
    }

    private static readonly CodeCatalogue<Colour> Colours = new((Colour.Red, "red"), (Colour.Green, "green"));

    [Fact]
    public void A_value_is_spelled_by_its_code_and_read_back_from_it()
    {
        Assert.Equal("green", Colours.ToCode(Colour.Green));
        Assert.True(Colours.TryParse("red", out var red));
        Assert.Equal(Colour.Red, red);
        Assert.Equal(["red", "green"], Colours.Codes);
        Assert.Equal([Colour.Red, Colour.Green], Colours.Values);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Red")]
    [InlineData(" red")]
    [InlineData("blue")]
    public void Only_an_exact_code_parses(string? code) => Assert.False(Colours.TryParse(code, out _));

    [Fact]
    public void A_value_without_a_code_is_a_programming_error() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Colours.ToCode(Colour.Blue));

    [Fact]
    public void A_value_spelled_twice_is_refused() =>
        Assert.Throws<ArgumentException>(() => new CodeCatalogue<Colour>((Colour.Red, "red"), (Colour.Red, "rouge")));

    [Fact]
    public void A_code_naming_two_values_is_refused() =>
        Assert.Throws<ArgumentException>(() => new CodeCatalogue<Colour>((Colour.Red, "red"), (Colour.Green, "red")));

    [Fact]
    public void Every_reason_code_has_one_code() => AssertComplete(ReasonCodes.Catalogue);

    [Fact]
    public void Every_removal_reason_has_one_code() => AssertComplete(RemovalReasons.Catalogue);

    [Fact]
    public void Every_source_reason_has_one_code() => AssertComplete(SourceReasons.Catalogue);

    /// <summary>Every value of the enum is in the catalogue (its construction already refused duplicates), and round-trips.</summary>
    internal static void AssertComplete<T>(CodeCatalogue<T> catalogue) where T : struct, Enum
    {
        Assert.Equal(Enum.GetValues<T>().Order(), catalogue.Values.Order());
        foreach (var value in catalogue.Values)
        {
            string code = catalogue.ToCode(value);
            Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", code);
            Assert.True(catalogue.TryParse(code, out var back));
            Assert.Equal(value, back);
        }
    }
}
