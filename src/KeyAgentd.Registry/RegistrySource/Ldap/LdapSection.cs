using System.Globalization;
using System.Net;
using KeyAgentd.Core.Source;
using YamlDotNet.RepresentationModel;

namespace KeyAgentd.RegistrySource.Ldap;

/// <summary>
/// Reads the <c>ldap:</c> section of sources.yaml. A password is never written in the YAML (it is
/// committed to git): only a file or an environment variable may hold it.
/// </summary>
internal static class LdapSection
{
    private static readonly string[] Fields = ["url", "start_tls", "ca_file", "bind_dn", "bind_password_file", "bind_password_env", "people", "groups", "merge", "page_size", "timeout"];
    private static readonly string[] PeopleFields = ["base_dn", "filter", "id_attribute", "key_attribute"];
    private static readonly string[] GroupFields = ["base_dn", "filter", "name_prefix"];

    public static LdapSettings? Parse(YamlFile yaml, YamlNode node)
    {
        if (yaml.Mapping(node, "ldap") is not { } body)
        {
            return null;
        }
        var location = yaml.At(node);
        Uri? url = null;
        string? peopleBase = null;
        var settings = new LdapSettings(new Uri("ldap://localhost"), "", location);
        var layout = new DirectoryLayout();
        bool ok = true;
        foreach (var (keyNode, value) in body.Children)
        {
            switch (yaml.Scalar(keyNode, "a field name"))
            {
                case "url":
                    url = Url(yaml, value);
                    break;
                case "start_tls":
                    settings = settings with { StartTls = Bool(yaml, value, "start_tls") };
                    break;
                case "ca_file":
                    settings = settings with { CaFile = yaml.Scalar(value, "ca_file") };
                    break;
                case "bind_dn":
                    settings = settings with { BindDn = yaml.Scalar(value, "bind_dn") };
                    break;
                case "bind_password_file":
                    settings = settings with { BindPasswordFile = yaml.Scalar(value, "bind_password_file") };
                    break;
                case "bind_password_env":
                    settings = settings with { BindPasswordEnv = yaml.Scalar(value, "bind_password_env") };
                    break;
                case "merge":
                    settings = settings with { Merge = Bool(yaml, value, "merge") };
                    break;
                case "page_size":
                    if (yaml.Scalar(value, "page_size") is { } size)
                    {
                        if (int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out int pages) && pages is >= 1 and <= 100_000)
                        {
                            settings = settings with { PageSize = pages };
                        }
                        else
                        {
                            yaml.Invalid(value, "page_size must be a number from 1 to 100000");
                        }
                    }
                    break;
                case "timeout":
                    if (yaml.Scalar(value, "timeout") is { } text)
                    {
                        // A bare number is seconds (TimeSpan alone would read "30" as thirty days).
                        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) && seconds is > 0 and <= 3600)
                        {
                            settings = settings with { Timeout = TimeSpan.FromSeconds(seconds) };
                        }
                        else if (text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var timeout) &&
                            timeout > TimeSpan.Zero && timeout <= TimeSpan.FromHours(1))
                        {
                            settings = settings with { Timeout = timeout };
                        }
                        else
                        {
                            yaml.Invalid(value, "timeout is seconds (30) or hh:mm:ss (00:00:30), at most an hour");
                        }
                    }
                    break;
                case "people":
                    if (yaml.Mapping(value, "ldap.people") is { } people)
                    {
                        foreach (var (fieldNode, fieldValue) in people.Children)
                        {
                            switch (yaml.Scalar(fieldNode, "a field name"))
                            {
                                case "base_dn":
                                    peopleBase = yaml.Scalar(fieldValue, "base_dn");
                                    break;
                                case "filter":
                                    settings = settings with { PeopleFilter = Filter(yaml, fieldValue) ?? settings.PeopleFilter };
                                    break;
                                case "id_attribute":
                                    layout = layout with { IdAttribute = Attribute(yaml, fieldValue) ?? layout.IdAttribute };
                                    break;
                                case "key_attribute":
                                    layout = layout with { KeyAttribute = Attribute(yaml, fieldValue) ?? layout.KeyAttribute };
                                    break;
                                case { } other:
                                    yaml.UnknownField(fieldNode, other, PeopleFields);
                                    break;
                            }
                        }
                    }
                    break;
                case "groups":
                    if (yaml.Mapping(value, "ldap.groups") is { } groups)
                    {
                        foreach (var (fieldNode, fieldValue) in groups.Children)
                        {
                            switch (yaml.Scalar(fieldNode, "a field name"))
                            {
                                case "base_dn":
                                    settings = settings with { GroupsBaseDn = yaml.Scalar(fieldValue, "base_dn") };
                                    break;
                                case "filter":
                                    settings = settings with { GroupsFilter = Filter(yaml, fieldValue) ?? settings.GroupsFilter };
                                    break;
                                case "name_prefix":
                                    layout = layout with { GroupPrefix = yaml.Scalar(fieldValue, "name_prefix") ?? "" };
                                    break;
                                case { } other:
                                    yaml.UnknownField(fieldNode, other, GroupFields);
                                    break;
                            }
                        }
                    }
                    break;
                case "bind_password":
                    yaml.Invalid(keyNode, "a password is never written in sources.yaml (it is kept in git): use bind_password_file or bind_password_env");
                    ok = false;
                    break;
                case { } other:
                    yaml.UnknownField(keyNode, other, Fields);
                    break;
            }
        }
        if (url is null)
        {
            yaml.Invalid(node, "ldap needs url: ldaps://host or ldap://host with start_tls: true");
            return null;
        }
        if (string.IsNullOrEmpty(peopleBase))
        {
            yaml.Invalid(node, "ldap needs people: { base_dn: ... }");
            return null;
        }
        settings = settings with { Url = url, PeopleBaseDn = peopleBase, Layout = layout };
        if (url.Scheme == "ldap" && !settings.StartTls && !IsLoopback(url))
        {
            // The bind password and the keys would cross the network in clear text, and anyone on the path could add a key.
            yaml.Invalid(node, $"{url} is neither ldaps:// nor StartTLS: set start_tls: true or use ldaps://");
            ok = false;
        }
        if (url.Scheme == "ldaps" && settings.StartTls)
        {
            yaml.Invalid(node, "start_tls is for ldap:// URLs; ldaps:// is TLS from the first byte");
            ok = false;
        }
        if (settings.BindDn is not null && (settings.BindPasswordFile is null) == (settings.BindPasswordEnv is null))
        {
            yaml.Invalid(node, "bind_dn needs exactly one of bind_password_file and bind_password_env");
            ok = false;
        }
        if (settings.BindDn is null && (settings.BindPasswordFile ?? settings.BindPasswordEnv) is not null)
        {
            yaml.Invalid(node, "a bind password without bind_dn: add bind_dn, or remove the password to bind anonymously");
            ok = false;
        }
        return ok ? settings : null;
    }

    private static Uri? Url(YamlFile yaml, YamlNode value)
    {
        if (yaml.Scalar(value, "url") is not { } text)
        {
            return null;
        }
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "ldap" or "ldaps" && url.UserInfo.Length == 0 && url.Host.Length > 0 &&
            url.AbsolutePath is "/" or "" && url.Query.Length == 0)
        {
            return url;
        }
        yaml.Invalid(value, $"\"{text}\" is not ldap://host[:port] or ldaps://host[:port]");
        return null;
    }

    private static bool Bool(YamlFile yaml, YamlNode value, string what)
    {
        string? text = yaml.Scalar(value, what);
        if (text is "true" or "false")
        {
            return text == "true";
        }
        if (text is not null)
        {
            yaml.Invalid(value, $"{what} is true or false");
        }
        return false;
    }

    private static string? Filter(YamlFile yaml, YamlNode value)
    {
        string? text = yaml.Scalar(value, "filter");
        if (text is { Length: > 1 } && text[0] == '(' && text[^1] == ')')
        {
            return text;
        }
        if (text is not null)
        {
            yaml.Invalid(value, $"filter \"{text}\" is not an LDAP filter in parentheses, like (objectClass=ldapPublicKey)");
        }
        return null;
    }

    private static string? Attribute(YamlFile yaml, YamlNode value)
    {
        string? text = yaml.Scalar(value, "an attribute name");
        if (text is { Length: > 0 } && char.IsAsciiLetter(text[0]) && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return text;
        }
        if (text is not null)
        {
            yaml.Invalid(value, $"\"{text}\" is not an LDAP attribute name");
        }
        return null;
    }

    private static bool IsLoopback(Uri url) =>
        url.IsLoopback || IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
}
