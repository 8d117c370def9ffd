namespace KeyAgentd.Core.Source;

/// <summary>
/// How a directory's entries become people and groups (sources.yaml <c>ldap:</c>): the attribute naming a
/// person, the attribute holding their keys, and the prefix put before every group's <c>cn</c>.
/// </summary>
public sealed record DirectoryLayout(string IdAttribute = "uid", string KeyAttribute = "sshPublicKey", string GroupPrefix = "")
{
    /// <summary>The provenance recorded on a key read from an entry (<c>"source"</c> in the documents; registry diff prints it).</summary>
    public static string SourceOf(string dn) => Prefix + dn;

    /// <summary>True for a key read from the directory (its source is <c>ldap:&lt;DN&gt;</c>).</summary>
    public static bool IsDirectoryKey(SourceKey key) => key.Source?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    private const string Prefix = "ldap:";
}
