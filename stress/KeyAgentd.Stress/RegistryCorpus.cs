using System.Diagnostics;
using System.Text;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Stress;

/// <summary>
/// Group 2: a generated corpus of hostile snapshots through parse → validate → expand → plan → render,
/// in-process; a sample through the real SyncEngine; every accepted key line checked by ssh-keygen.
/// </summary>
public static partial class RegistryCorpus
{
    public static GroupResult Run(Scale scale)
    {
        var result = new GroupResult("registry: hostile input");
        result.Zero("crashes", "injected-lines", "control-chars-written", "ssh-keygen-rejects", "sync-crashes", "sync-bad-lines", "unsafe-account-names");
        var rng = new Random(20261121);
        var policy = new KeyPolicy(null, TimeZoneInfo.Utc);
        var now = DateTimeOffset.UtcNow;
        var accepted = new HashSet<string>(StringComparer.Ordinal);
        var sample = new List<byte[]>();
        int parsed = 0, valid = 0, keysAccepted = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < scale.CorpusCases; i++)
        {
            byte[] input = Mutations.Make(rng, i);
            result.Cases++;
            try
            {
                if (!RegistrySnapshotParser.TryParse(input, out var snapshot, out _))
                {
                    continue;
                }
                parsed++;
                if (SnapshotValidator.Check(snapshot, null, now) is not null)
                {
                    continue;
                }
                valid++;
                if (sample.Count < scale.SyncSample && rng.Next(3) == 0)
                {
                    sample.Add(input);
                }
                var desired = SnapshotExpander.Expand(snapshot, policy, now);
                foreach (var (account, keys) in desired.Accounts)
                {
                    if (account.Length == 0 || account.Contains('/') || account is "." or ".." || account.Any(c => char.IsWhiteSpace(c) || KeyAgentd.Core.SafeText.IsControl(c)))
                    {
                        result.Fail("unsafe-account-names", $"case {i}: {KeyAgentd.Core.SafeText.Escape(account, 60)}");
                    }
                    keysAccepted += keys.Count;
                    foreach (var key in keys)
                    {
                        accepted.Add(key.Render());
                    }
                    var allowed = keys.Select(k => k.Render()).ToHashSet(StringComparer.Ordinal);
                    var exclusive = Planner.Plan(new PlanInput(account, keys, OwnershipMode.Exclusive) { CurrentFile = "ssh-ed25519 AAAA user-line\n" });
                    CheckText(result, $"case {i} {account} exclusive", exclusive.FileText, allowed, userLines: false);
                    var block = Planner.Plan(new PlanInput(account, keys, OwnershipMode.ManagedBlock) { CurrentFile = "# mine\n" + Keys.Ed25519(1, 1, "mine") + "\n" });
                    CheckText(result, $"case {i} {account} managed-block", block.FileText, allowed, userLines: true);
                }
            }
            catch (Exception e)
            {
                result.Fail("crashes", $"case {i}: {e.GetType().Name}: {e.Message}");
            }
        }
        result.Note($"{scale.CorpusCases} inputs in {clock.Elapsed.TotalSeconds:F1} s: {parsed} parsed, {valid} valid, {keysAccepted} keys accepted ({accepted.Count} distinct lines)");
        SshKeygenCheck(result, accepted);
        SyncSample(result, sample, accepted);
        return result;
    }

    /// <summary>Every rendered line is our marker, or exactly one key line from the accepted set; nothing has a control character.</summary>
    private static void CheckText(GroupResult result, string where, string? text, HashSet<string> allowed, bool userLines)
    {
        if (text is null)
        {
            return;
        }
        bool inBlock = !userLines;
        foreach (string line in text.Split('\n'))
        {
            if (line.Any(KeyAgentd.Core.SafeText.IsControl))
            {
                char bad = line.First(KeyAgentd.Core.SafeText.IsControl);
                result.Fail("control-chars-written", $"{where}: U+{(int)bad:X4} at {line.IndexOf(bad)} in {KeyAgentd.Core.SafeText.Escape(line.AsSpan(Math.Max(0, line.IndexOf(bad) - 60)))}");
                continue;
            }
            if (line.Length == 0 || AuthorizedKeysRenderer.IsOwnMarker(line))
            {
                inBlock = userLines ? line == AuthorizedKeysRenderer.BeginMarker || (inBlock && line != AuthorizedKeysRenderer.EndMarker) : inBlock;
                continue;
            }
            if (!inBlock)
            {
                continue; // the user's own lines outside the managed block are kept as they were
            }
            var parsed = AuthorizedKeyLineParser.ParseAll(line + "\n");
            if (parsed.Count(l => l.IsKey) != 1 || !allowed.Contains(line))
            {
                result.Fail("injected-lines", $"{where}: {KeyAgentd.Core.SafeText.Escape(line, 80)}");
            }
        }
    }
}
