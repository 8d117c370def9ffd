namespace KeyAgentd.Core.Planning;

/// <summary>Where sshd finds the keys (`Delivery:AuthorizedKeysFiles`).</summary>
public enum Delivery
{
    /// <summary>~/.ssh/authorized_keys, plus the helper cache beside it.</summary>
    AuthorizedKeysFile,

    /// <summary>Only the helper cache (sshd runs keyagentd-keys); homes are never touched.</summary>
    HelperCacheOnly,
}
