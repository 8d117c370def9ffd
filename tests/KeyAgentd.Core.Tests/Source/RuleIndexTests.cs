using KeyAgentd.Core.Source;

namespace KeyAgentd.Core.Tests.Source;

/// <summary>
/// The rule index only narrows: for every host, the rules it offers and <see cref="SourceRule.Matches"/> accepts
/// are exactly the rules that match when every rule is tried (random globs, names, labels; ascending, each once).
/// </summary>
public class RuleIndexTests
{
    [Fact]
    public void The_rules_found_through_the_index_are_the_rules_that_match_when_every_rule_is_tried()
    {
        var random = new Random(20261207);
        const string alphabet = "ab-1.";
        string Word(int max) => new(Enumerable.Range(0, random.Next(0, max + 1)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        string Pattern()
        {
            var parts = Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(5) switch { 0 => "*", 1 => "?", _ => Word(3) });
            return string.Concat(parts);
        }
        var location = new SourceLocation("access.yaml", 1);
        for (int round = 0; round < 200; round++)
        {
            var rules = Enumerable.Range(0, random.Next(1, 40)).Select(_ => new SourceRule(location)
            {
                Hosts = Enumerable.Range(0, random.Next(0, 3)).Select(_ => new SourceRef(Pattern(), location)).ToList(),
                Labels = random.Next(3) == 0 ? new Dictionary<string, string> { ["env"] = random.Next(2) == 0 ? "prod" : "dev" } : new Dictionary<string, string>(),
            }).ToList();
            var index = new RuleIndex(rules);
            for (int h = 0; h < 200; h++)
            {
                string host = Word(8);
                var labels = new Dictionary<string, string> { ["env"] = random.Next(2) == 0 ? "prod" : "dev" };
                var expected = Enumerable.Range(0, rules.Count).Where(i => rules[i].Matches(host, labels)).ToList();
                var candidates = index.Candidates(host);
                Assert.Equal(candidates.Distinct().Order(), candidates);
                Assert.Equal(expected, candidates.Where(i => rules[i].Matches(host, labels)));
            }
        }
    }

    [Theory]
    [InlineData("h0123*", "h0123")]
    [InlineData("*.fra1.example.com", "")]
    [InlineData("web-0?", "web-0")]
    [InlineData("db-01", "db-01")]
    public void A_globs_literal_prefix_ends_at_its_first_wildcard(string pattern, string prefix) =>
        Assert.Equal(prefix, RuleIndex.LiteralPrefix(pattern));
}
