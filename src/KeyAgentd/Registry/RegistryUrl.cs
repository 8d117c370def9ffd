namespace KeyAgentd.Registry;

/// <summary>Registry:Url handling: {hostname} expansion and the choice of source.</summary>
public static class RegistryUrl
{
    public static string Expand(string url, string hostname) =>
        url.Replace("{hostname}", Uri.EscapeDataString(hostname), StringComparison.Ordinal);

    /// <summary>Parses and checks an expanded URL; throws <see cref="Configuration.SettingsException"/> when unusable.</summary>
    public static Uri Parse(string expanded)
    {
        if (!Uri.TryCreate(expanded, UriKind.Absolute, out var uri) || uri.Scheme is not ("file" or "http" or "https"))
        {
            throw new Configuration.SettingsException($"Registry:Url \"{expanded}\" must be file:///… or http(s)://…");
        }
        if (uri.IsFile && !Path.IsPathFullyQualified(uri.LocalPath))
        {
            throw new Configuration.SettingsException($"Registry:Url \"{expanded}\" must name an absolute path");
        }
        return uri;
    }
}
