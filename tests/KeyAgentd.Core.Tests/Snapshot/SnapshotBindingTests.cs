using System.Text;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Tests.Snapshot;

/// <summary>What a signature binds: audience, validity window, issue time, one document per serial.</summary>
public class SnapshotBindingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly SnapshotBindingOptions Options = new("web-1.example.com", TimeSpan.FromDays(30), TimeSpan.FromMinutes(5));

    private static RegistrySnapshot Snapshot(DateTimeOffset? issued, DateTimeOffset? expires, IReadOnlyList<string>? audience = null) =>
        new(RegistrySnapshot.SchemaV1, 7, issued, expires, new Dictionary<string, RegistryPerson>(), new Dictionary<string, RegistryAccount>(), [])
        {
            Audience = audience,
        };

    [Theory]
    [InlineData(null, true)]
    [InlineData("web-*.example.com", true)]
    [InlineData("WEB-?.Example.COM", true)]
    [InlineData("db-*,web-1.example.com", true)]
    [InlineData("web-*", true)]
    [InlineData("*.example.org", false)]
    [InlineData("db-*", false)]
    [InlineData("", false)]
    public void Audience_globs_match_the_host_name_case_insensitively(string? globs, bool matches)
    {
        IReadOnlyList<string>? audience = globs is null ? null : globs.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var error = SnapshotBinding.CheckAudience(Snapshot(Now, Now.AddDays(1), audience), Options.HostName);
        Assert.Equal(matches, error is null);
        if (!matches)
        {
            Assert.Equal(SnapshotError.AudienceMismatch, error!.Code);
        }
    }

    [Theory]
    [InlineData(0, 30 * 24 * 60, null)]
    [InlineData(0, 30 * 24 * 60 + 1, SnapshotError.ValidityTooLong)]
    [InlineData(5, 60, null)]
    [InlineData(6, 60, SnapshotError.IssuedInFuture)]
    [InlineData(-40 * 24 * 60, 60, SnapshotError.ValidityTooLong)]
    public void Validity_window_is_capped_and_issue_time_may_not_be_ahead(int issuedMinutes, int expiresMinutes, string? code)
    {
        var error = SnapshotBinding.CheckValidity(Snapshot(Now.AddMinutes(issuedMinutes), Now.AddMinutes(expiresMinutes)), Options, Now);
        Assert.Equal(code, error?.Code);
    }

    [Fact]
    public void Expiry_is_required_and_without_issue_time_the_window_starts_now()
    {
        Assert.Equal(SnapshotError.MissingField, SnapshotBinding.CheckValidity(Snapshot(Now, null), Options, Now)?.Code);
        Assert.Null(SnapshotBinding.CheckValidity(Snapshot(null, Now.AddDays(29)), Options, Now));
        Assert.Equal(SnapshotError.ValidityTooLong, SnapshotBinding.CheckValidity(Snapshot(null, Now.AddDays(31)), Options, Now)?.Code);
    }

    [Fact]
    public void The_same_serial_with_other_bytes_is_equivocation_and_with_the_same_bytes_is_not()
    {
        var snapshot = Snapshot(Now, Now.AddDays(1));
        Assert.Equal(SnapshotError.Equivocation, SnapshotValidator.Check(snapshot, 7, new string('a', 64), new string('b', 64), Now)?.Code);
        Assert.Null(SnapshotValidator.Check(snapshot, 7, new string('a', 64), new string('A', 64), Now));
        Assert.Null(SnapshotValidator.Check(snapshot, 6, new string('a', 64), new string('b', 64), Now));
        Assert.Equal(SnapshotError.Rollback, SnapshotValidator.Check(snapshot, 8, new string('a', 64), new string('b', 64), Now)?.Code);
    }

    [Theory]
    [InlineData("[\"web-*\", \"bastion\"]", true)]
    [InlineData("[]", true)]
    [InlineData("\"web-*\"", false)]
    [InlineData("[\"\"]", false)]
    [InlineData("[\"web *\"]", false)]
    [InlineData("[42]", false)]
    public void Audience_is_parsed_strictly(string audience, bool valid)
    {
        string json = $$"""{"schema":"keyagentd.registry/v1","serial":1,"people":{},"accounts":{},"audience":{{audience}}}""";
        bool parsed = RegistrySnapshotParser.TryParse(Encoding.UTF8.GetBytes(json), out var snapshot, out var error);
        Assert.Equal(valid, parsed);
        if (valid)
        {
            Assert.NotNull(snapshot!.Audience);
        }
        else
        {
            Assert.Equal(SnapshotError.InvalidField, error!.Code);
        }
    }
}
