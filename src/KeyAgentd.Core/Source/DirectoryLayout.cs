namespace KeyAgentd.Core.Source;

/// <summary>
/// How a directory's entries become people and groups (sources.yaml <c>ldap:</c>): the attribute naming a
/// person, the attribute holding their keys, and the prefix put before every group's <c>cn</c>.
/// </summary>
public sealed record DirectoryLayout(string IdAttribute = "uid", string KeyAttribute = "sshPublicKey", string GroupPrefix = "")
{
    /// <summary>The provenance recorded on a key read from an entry (<c>"source"</c> in the documents; registry diff prints it).</summary>
    public static string SourceOf(string dn) => "ldap:" + dn;
}
