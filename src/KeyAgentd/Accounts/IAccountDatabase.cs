namespace KeyAgentd.Accounts;

/// <summary>Where local accounts come from: NSS in production, a passwd-format file for tests and demos.</summary>
public interface IAccountDatabase
{
    /// <summary>The account called <paramref name="name"/>, or null when there is none or the name is not valid.</summary>
    AccountInfo? Find(string name);

    /// <summary>Every account with a valid name.</summary>
    IEnumerable<AccountInfo> All();
}
