using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Snapshot;
using static KeyAgentd.Core.Tests.Planning.PlanKeys;

namespace KeyAgentd.Core.Tests.Planning;

/// <summary>Random registries against random starting files: applying a plan always reaches a fixed point.</summary>
public class PlannerPropertyTests
{
    private const int PoolSize = 10;

    private static readonly string[] Owners = ["alice", "bob", "carol"];
    private static readonly string?[] Labels = [null, "laptop", "desktop"];
    private static readonly string?[] Options = [null, "no-pty", "from=\"10.0.0.0/8\",no-agent-forwarding", "restrict"];

    [Theory]
    [InlineData(OwnershipMode.Exclusive, 1)]
    [InlineData(OwnershipMode.Exclusive, 2)]
    [InlineData(OwnershipMode.ManagedBlock, 3)]
    [InlineData(OwnershipMode.ManagedBlock, 4)]
    public void Plan_apply_plan_again_is_a_fixed_point(OwnershipMode mode, int seed)
    {
        var random = new Random(seed);
        string[] pool = Enumerable.Range(0, PoolSize).Select(Pool).ToArray();
        string? file = RandomFile(random, pool);
        for (int round = 0; round < 40; round++)
        {
            var desired = RandomDesired(random, pool);
            string[] breakGlass = random.Next(4) == 0 ? [pool[random.Next(PoolSize)]] : [];

            var plan = PlanFile("acct", desired, file, mode, breakGlass);
            string? applied = plan.FileText ?? file;
            var again = PlanFile("acct", desired, applied, mode, breakGlass);

            Assert.Null(plan.Error);

            Assert.False(again.Changed, $"seed {seed} round {round}");
            Assert.Null(again.FileText);
            Assert.Empty(again.Added);
            Assert.Empty(again.Removed);
            Assert.Equal(applied is null ? 0 : desired.Count, again.Kept.Count);
            Assert.Equal(plan.Added.Count + plan.Kept.Count, desired.Count);
            if (mode == OwnershipMode.ManagedBlock && file is not null && applied is not null)
            {
                // The user's own text before the block survives every round.
                Assert.StartsWith(file.Split(AuthorizedKeysRenderer.BeginMarker)[0].TrimEnd('\n'), applied);
            }
            // Sometimes the user edits the file between syncs.
            file = random.Next(3) == 0 ? UserEdit(random, pool, applied) : applied;
        }
    }

    /// <summary>Lines added above whatever is there, the way a user appends by hand (always a whole line).</summary>
    private static string? UserEdit(Random random, string[] pool, string? current)
    {
        string? added = RandomFile(random, pool);
        if (added is null || added.Length == 0)
        {
            return current;
        }
        return added.EndsWith('\n') ? added + current : added + "\n" + current;
    }

    private static List<DesiredKey> RandomDesired(Random random, string[] pool)
    {
        var chosen = pool.Where(_ => random.Next(2) == 0).ToList();
        return chosen.Select(line => Desired(line, Owners[random.Next(Owners.Length)], Labels[random.Next(Labels.Length)], Options[random.Next(Options.Length)])).ToList();
    }

    private static string? RandomFile(Random random, string[] pool)
    {
        if (random.Next(5) == 0)
        {
            return null;
        }
        var lines = new List<string>();
        for (int i = random.Next(5); i > 0; i--)
        {
            lines.Add(random.Next(4) switch
            {
                0 => "# user note",
                1 => "",
                2 => "not a key at all",
                _ => pool[random.Next(pool.Length)],
            });
        }
        string newline = random.Next(2) == 0 ? "\n" : "\r\n";
        string text = string.Join(newline, lines);
        return random.Next(2) == 0 ? text : text + newline;
    }
}
