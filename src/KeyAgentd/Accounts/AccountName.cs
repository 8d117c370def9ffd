namespace KeyAgentd.Accounts;

/// <summary>
/// The account names KeyAgentd will handle, checked before a name reaches a path, a lookup or a log
/// line. One rule for the whole product: the registry's (<see cref="Core.Snapshot.AccountName"/>).
/// </summary>
public static class AccountName
{
    public static bool IsValid(string? name) => name is not null && Core.Snapshot.AccountName.IsValid(name);
}
