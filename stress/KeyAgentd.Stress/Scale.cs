namespace KeyAgentd.Stress;

/// <summary>Case counts: --full for make stress, --short (same code, smaller counts) for make test.</summary>
public sealed record Scale(
    int RaceSeconds,
    int CorpusCases,
    int SyncSample,
    int KillAccounts,
    int Kills,
    int OutageCycles,
    int LoadAccounts,
    int LoadKeysPerAccount,
    int LoadCycles,
    TimeSpan LoadBudget)
{
    // The load group runs all 1,000 cycles of 10,000 accounts × 20 keys (about 1 s each here); the budget only bounds a slower machine.
    public static Scale Full { get; } = new(20, 12_000, 200, 1_000, 200, 200, 10_000, 20, 1_000, TimeSpan.FromMinutes(30));

    public static Scale Short { get; } = new(3, 1_500, 20, 100, 6, 20, 200, 20, 20, TimeSpan.FromSeconds(15));
}
