using KeyAgentd.Sync;
using System.Text;

namespace KeyAgentd.Stress;

public static partial class Faults
{
    /// <summary>
    /// Many cycles in which the registry misbehaves in every way we know (missing, not JSON, wrong schema,
    /// rolled back, expired, empty accounts, truncated), interleaved with good snapshots: no key is ever lost.
    /// </summary>
    public static GroupResult Outages(Scale scale)
    {
        var result = new GroupResult("faults: registry outages");
        result.Zero("keys-lost", "crashes");
        using var box = Sandbox.Create("outage", 50);
        var keys = box.Accounts.Select((a, i) => Version(i, 0)).ToList();
        long serial = 10;
        byte[] Good() => Sandbox.Registry(serial, box.Accounts.Select((a, i) => KeyValuePair.Create(a.Name, (IReadOnlyList<string>)keys[i])));
        box.WriteRegistry(Good());
        Faults.Sync(box, maxRemovalPercent: 50);
        string[] kinds = ["missing", "not-json", "wrong-schema", "rollback", "expired", "empty-accounts", "truncated", "empty-file", "empty-people-and-accounts"];
        var perKind = kinds.ToDictionary(k => k, _ => 0);
        for (int c = 0; c < scale.OutageCycles; c++)
        {
            string kind = kinds[c % kinds.Length];
            switch (kind)
            {
                case "missing": File.Delete(box.RegistryFile); break;
                case "not-json": box.WriteRegistry("<html>502 Bad Gateway</html>"u8.ToArray()); break;
                case "wrong-schema": box.WriteRegistry(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Good()).Replace("keyagentd.registry/v1", "keyagentd.registry/v2", StringComparison.Ordinal))); break;
                case "rollback": box.WriteRegistry(Sandbox.Registry(serial - 5, box.Accounts.Select(a => KeyValuePair.Create(a.Name, (IReadOnlyList<string>)[])))); break;
                case "expired": box.WriteRegistry(Sandbox.Registry(serial + 1, box.Accounts.Select(a => KeyValuePair.Create(a.Name, (IReadOnlyList<string>)[])), DateTimeOffset.UtcNow.AddDays(-1))); break;
                case "empty-accounts": box.WriteRegistry(Sandbox.Registry(++serial, [])); break;
                case "truncated": box.WriteRegistry(Good()[..(Good().Length / 2)]); break;
                case "empty-file": box.WriteRegistry([]); break;
                default: box.WriteRegistry(Encoding.UTF8.GetBytes($"{{\"schema\":\"keyagentd.registry/v1\",\"serial\":{++serial},\"issued_at\":\"2026-01-01T00:00:00Z\",\"expires_at\":\"2099-01-01T00:00:00Z\",\"people\":{{}},\"accounts\":{{}}}}")); break;
            }
            result.Cases++;
            perKind[kind]++;
            SyncOutcome? exit;
            try
            {
                exit = Faults.Sync(box, maxRemovalPercent: 50).Outcome;
            }
            catch (Exception e)
            {
                result.Fail("crashes", $"{kind}: {e.GetType().Name}: {e.Message}");
                exit = null;
            }
            for (int i = 0; i < box.Accounts.Count; i++)
            {
                var lines = Sandbox.KeyLines(box.KeyFile(box.Accounts[i])) ?? [];
                int lost = keys[i].Count(k => !lines.Contains(k));
                for (int l = 0; l < lost; l++)
                {
                    result.Fail("keys-lost", $"cycle {c} ({kind}, exit {exit}): {box.Accounts[i].Name}");
                }
            }
            // Every few cycles a good snapshot with a higher serial comes back.
            if (c % 3 == 2)
            {
                serial++;
                box.WriteRegistry(Good());
                Faults.Sync(box, maxRemovalPercent: 50);
            }
        }
        result.Note($"{scale.OutageCycles} bad cycles over {box.Accounts.Count} accounts × 3 keys ({string.Join(", ", perKind.Select(p => $"{p.Key} {p.Value}"))}), Safety:MaxRemovalPercent 50");
        return result;
    }
}
