namespace KeyAgentd.Fetch;

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
            throw Configuration.SettingsException.ForKey("Registry:Url", $"Registry:Url \"{Core.SafeText.Escape(expanded, 200)}\" must be file:///… or http(s)://…");
        }
        if (uri.IsFile && !Path.IsPathFullyQualified(uri.LocalPath))
        {
            throw Configuration.SettingsException.ForKey("Registry:Url", $"Registry:Url \"{Core.SafeText.Escape(expanded, 200)}\" must name an absolute path (file:///srv/keys/registry.json)");
        }
        return uri;
    }
}
