using KeyAgentd.Core.Planning;

namespace KeyAgentd.Core.Tests.Planning;

public class OwnershipModesTests
{
    [Theory]
    [InlineData("exclusive", OwnershipMode.Exclusive)]
    [InlineData("managed-block", OwnershipMode.ManagedBlock)]
    [InlineData("report", OwnershipMode.Report)]
    [InlineData(" Managed-Block ", OwnershipMode.ManagedBlock)]
    public void Configuration_names_parse(string text, OwnershipMode expected)
    {
        Assert.True(OwnershipModes.TryParse(text, out var mode));
        Assert.Equal(expected, mode);
    }

    [Theory]
    [InlineData("managedblock")]
    [InlineData("")]
    [InlineData(null)]
    public void Other_names_are_refused(string? text)
    {
        Assert.False(OwnershipModes.TryParse(text, out _));
    }

    [Fact]
    public void Names_round_trip()
    {
        foreach (var mode in Enum.GetValues<OwnershipMode>())
        {
            Assert.True(OwnershipModes.TryParse(mode.ToName(), out var parsed));
            Assert.Equal(mode, parsed);
        }
    }
}
