using KeyAgentd.Core.Source;
using KeyAgentd.RegistrySource.Ldap;
using YamlDotNet.RepresentationModel;

namespace KeyAgentd.RegistrySource.KeysUrl;

/// <summary>
/// Reads sources.yaml: people whose keys live at a <c>.keys</c> URL (GitHub and GitLab serve
/// <c>https://&lt;host&gt;/&lt;user&gt;.keys</c>). A person's value is either a user name, put into
/// <c>keys_url_template</c> where it says <c>{user}</c>, or a whole http(s) URL. The <c>ldap:</c> section
/// is read by <see cref="LdapSection"/>.
/// </summary>
internal static class SourcesFile
{
    public const string Name = "sources.yaml";

    private const string UserPlaceholder = "{user}";

    private static readonly string[] Fields = ["keys_url_template", "people", "ldap"];

    public static SourcesDocument Parse(string text, List<SourceProblem> problems)
    {
        var yaml = new YamlFile(Name, problems);
        var sources = new List<KeysUrlSource>();
        if (!yaml.TryLoad(text, out var rootNode) || yaml.Mapping(rootNode, Name) is not { } root)
        {
            return new SourcesDocument(sources, null);
        }
        string? template = null;
        LdapSettings? ldap = null;
        YamlMappingNode? people = null;
        foreach (var (keyNode, value) in root.Children)
        {
            switch (yaml.Scalar(keyNode, "a field name"))
            {
                case "keys_url_template":
                    template = yaml.Scalar(value, "keys_url_template");
                    if (template is not null && (!template.Contains(UserPlaceholder, StringComparison.Ordinal) || ToUrl(template.Replace(UserPlaceholder, "x", StringComparison.Ordinal)) is null))
                    {
                        yaml.Invalid(value, $"keys_url_template must be an http(s) URL containing {UserPlaceholder}");
                        template = null;
                    }
                    break;
                case "people":
                    people = yaml.Mapping(value, "people");
                    break;
                case "ldap":
                    ldap = LdapSection.Parse(yaml, value);
                    break;
                case { } other:
                    yaml.UnknownField(keyNode, other, Fields);
                    break;
            }
        }
        foreach (var (personNode, value) in people?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
        {
            if (yaml.Scalar(personNode, "a person's name") is not { } person || yaml.Scalar(value, $"the keys source of {person}") is not { } target)
            {
                continue;
            }
            var location = yaml.At(personNode);
            if (target.Contains("://", StringComparison.Ordinal))
            {
                if (ToUrl(target) is { } url)
                {
                    sources.Add(new KeysUrlSource(person, url, location));
                }
                else
                {
                    yaml.Invalid(value, $"{person}: \"{target}\" is not an http(s) URL");
                }
            }
            else if (template is null)
            {
                yaml.Invalid(value, $"{person}: \"{target}\" is a user name, but there is no valid keys_url_template to put it in");
            }
            else
            {
                // The name goes into a path segment: escaped, so "../x" or "a?b" cannot reach another URL.
                sources.Add(new KeysUrlSource(person, ToUrl(template.Replace(UserPlaceholder, Uri.EscapeDataString(target), StringComparison.Ordinal))!, location));
            }
        }
        return new SourcesDocument(sources, ldap);
    }

    private static Uri? ToUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "https" or "http" && url.UserInfo.Length == 0 ? url : null;
}
