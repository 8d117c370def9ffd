using System.Text;
using KeyAgentd.Core.Source;
using YamlDotNet.RepresentationModel;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// Reads a registry source tree (README "Registry source"): people/*.keys, groups.yaml, access.yaml,
/// hosts.yaml (optional) and revoked (optional). Paths in problems are relative to the tree, as a
/// reviewer sees them in the repository.
/// </summary>
internal static class SourceTreeReader
{
    public const string PeopleDirectory = "people";
    public const string GroupsFile = "groups.yaml";
    public const string AccessFile = "access.yaml";
    public const string HostsFile = "hosts.yaml";
    public const string RevokedFile = "revoked";
    public const string AuthoritiesFile = "cas.yaml";

    /// <summary>Far above any real source file; a larger one is a mistake (a binary committed by accident).</summary>
    private const long MaxFileBytes = 16 * 1024 * 1024;

    private static readonly string[] RuleFields = ["description", "hosts", "labels", "accounts", "people", "groups", "options", "not_after", "keys", "cas", "principals"];
    private static readonly string[] AuthorityFields = ["key", "not_after", "comment"];
    private static readonly string[] KeyFields = ["key", "owner", "label", "not_after"];
    private static readonly string[] GroupFields = ["description", "people", "groups"];

    /// <exception cref="IOException">The tree or one of its files could not be read; the message names the path.</exception>
    public static SourceTree Read(string root)
    {
        if (!Directory.Exists(root))
        {
            throw new IOException($"{root}: no such directory");
        }
        var problems = new List<SourceProblem>();
        var people = ReadPeople(root, problems);
        var groups = ReadText(root, GroupsFile) is { } groupsText ? ReadGroups(groupsText, problems) : [];
        var rules = ReadText(root, AccessFile) is { } accessText ? ReadRules(accessText, problems) : [];
        if (!File.Exists(Path.Combine(root, AccessFile)))
        {
            problems.Add(SourceProblem.Error(new SourceLocation(AccessFile, 0), SourceReason.InvalidValue, "access.yaml is missing", "add access.yaml with the rules"));
        }
        var hosts = ReadText(root, HostsFile) is { } hostsText ? ReadHosts(hostsText, problems) : null;
        IReadOnlyList<RevokedCertificateEntry> revokedCertificates = [];
        var revoked = ReadText(root, RevokedFile) is { } revokedText ? RevokedFileParser.Parse(RevokedFile, revokedText, problems, out revokedCertificates) : [];
        var authorities = ReadText(root, AuthoritiesFile) is { } authoritiesText ? ReadAuthorities(authoritiesText, problems) : [];
        return new SourceTree(people, groups, rules, hosts, revoked)
        {
            ReadProblems = problems,
            RevokedCertificates = revokedCertificates,
            CertificateAuthorities = authorities,
        };
    }

    private static List<SourcePerson> ReadPeople(string root, List<SourceProblem> problems)
    {
        string directory = Path.Combine(root, PeopleDirectory);
        var people = new List<SourcePerson>();
        if (!Directory.Exists(directory))
        {
            return people;
        }
        foreach (string path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            string fileName = Path.GetFileName(path);
            string relative = $"{PeopleDirectory}/{fileName}";
            if (!fileName.EndsWith(".keys", StringComparison.Ordinal))
            {
                if (!fileName.StartsWith('.'))
                {
                    problems.Add(SourceProblem.Warning(new SourceLocation(relative, 0), SourceReason.UnknownField,
                        "not a .keys file; ignored", "people/ holds one <person>.keys file per person"));
                }
                continue;
            }
            string text = ReadFile(path);
            people.Add(new SourcePerson(fileName[..^".keys".Length], KeysFileParser.Parse(relative, text, problems), new SourceLocation(relative, 0))
            {
                Principal = KeysFileParser.PersonPrincipal(text),
            });
        }
        return people;
    }

    private static List<SourceGroup> ReadGroups(string text, List<SourceProblem> problems)
    {
        var yaml = new YamlFile(GroupsFile, problems);
        var groups = new List<SourceGroup>();
        if (!yaml.TryLoad(text, out var rootNode) || yaml.Mapping(rootNode, "groups.yaml") is not { } root)
        {
            return groups;
        }
        foreach (var (keyNode, value) in root.Children)
        {
            if (yaml.Scalar(keyNode, "a group name") is not { } name)
            {
                continue;
            }
            var location = yaml.At(keyNode);
            if (value is YamlSequenceNode)
            {
                groups.Add(new SourceGroup(name, yaml.Names(value, $"group {name}"), [], location));
                continue;
            }
            if (yaml.Mapping(value, $"group {name}") is not { } body)
            {
                continue;
            }
            List<SourceRef> members = [], inner = [];
            foreach (var (fieldNode, fieldValue) in body.Children)
            {
                switch (yaml.Scalar(fieldNode, "a field name"))
                {
                    case "people":
                        members = yaml.Names(fieldValue, "people");
                        break;
                    case "groups":
                        inner = yaml.Names(fieldValue, "groups");
                        break;
                    case "description":
                        break;
                    case { } other:
                        yaml.UnknownField(fieldNode, other, GroupFields);
                        break;
                }
            }
            groups.Add(new SourceGroup(name, members, inner, location));
        }
        return groups;
    }

    private static List<SourceRule> ReadRules(string text, List<SourceProblem> problems)
    {
        var yaml = new YamlFile(AccessFile, problems);
        var rules = new List<SourceRule>();
        if (!yaml.TryLoad(text, out var rootNode) || yaml.Mapping(rootNode, "access.yaml") is not { } root)
        {
            return rules;
        }
        foreach (var (keyNode, value) in root.Children)
        {
            if (yaml.Scalar(keyNode, "a field name") is not "rules")
            {
                yaml.UnknownField(keyNode, (keyNode as YamlScalarNode)?.Value ?? "?", ["rules"]);
                continue;
            }
            if (value is not YamlSequenceNode sequence)
            {
                yaml.Invalid(value, "rules must be a list of rules");
                continue;
            }
            foreach (var item in sequence)
            {
                if (yaml.Mapping(item, "a rule") is { } body)
                {
                    rules.Add(ReadRule(yaml, body, problems));
                }
            }
        }
        return rules;
    }

    private static SourceRule ReadRule(YamlFile yaml, YamlMappingNode body, List<SourceProblem> problems)
    {
        var rule = new SourceRule(yaml.At(body));
        foreach (var (fieldNode, value) in body.Children)
        {
            rule = yaml.Scalar(fieldNode, "a field name") switch
            {
                "description" => rule,
                "hosts" => rule with { Hosts = yaml.Names(value, "hosts") },
                "labels" => rule with { Labels = Labels(yaml, value, "labels") },
                "accounts" => rule with { Accounts = yaml.Names(value, "accounts") },
                "people" => rule with { People = yaml.Names(value, "people") },
                "groups" => rule with { Groups = yaml.Names(value, "groups") },
                "options" => rule with { Options = yaml.Scalar(value, "options"), OptionsLocation = yaml.At(value) },
                "not_after" => rule with { NotAfter = yaml.Date(value, "not_after") },
                "keys" => rule with { Keys = AccountKeys(yaml, value, problems) },
                "cas" => rule with { CertificateAuthorities = yaml.Names(value, "cas") },
                "principals" => rule with { Principals = yaml.Names(value, "principals") },
                { } other => Unknown(yaml, fieldNode, other, rule),
                null => rule,
            };
        }
        return rule;
    }

    private static SourceRule Unknown(YamlFile yaml, YamlNode node, string field, SourceRule rule)
    {
        yaml.UnknownField(node, field, RuleFields);
        return rule;
    }

    private static List<SourceKey> AccountKeys(YamlFile yaml, YamlNode node, List<SourceProblem> problems)
    {
        var keys = new List<SourceKey>();
        if (node is not YamlSequenceNode sequence)
        {
            yaml.Invalid(node, "keys must be a list of {key, owner, label, not_after}");
            return keys;
        }
        foreach (var item in sequence)
        {
            if (yaml.Mapping(item, "a key entry") is not { } body)
            {
                continue;
            }
            string? text = null, owner = null, label = null;
            DateTimeOffset? notAfter = null;
            SourceLocation location = yaml.At(item);
            foreach (var (fieldNode, value) in body.Children)
            {
                switch (yaml.Scalar(fieldNode, "a field name"))
                {
                    case "key":
                        text = yaml.Scalar(value, "key");
                        location = yaml.At(value);
                        break;
                    case "owner":
                        owner = yaml.Scalar(value, "owner");
                        break;
                    case "label":
                        label = yaml.Scalar(value, "label");
                        break;
                    case "not_after":
                        notAfter = yaml.Date(value, "not_after");
                        break;
                    case { } other:
                        yaml.UnknownField(fieldNode, other, KeyFields);
                        break;
                }
            }
            if (text is null)
            {
                yaml.Invalid(item, "a key entry needs key: <one OpenSSH public key line>");
                continue;
            }
            // The same normalisation as a .keys file: a block or wrapped key pasted into YAML becomes its one line.
            int before = problems.Count;
            var parsed = KeysFileParser.Parse(location.File, text, problems);
            // The parser numbers the lines of the value itself; point at the value in access.yaml instead.
            for (int i = before; i < problems.Count; i++)
            {
                problems[i] = problems[i] with { Location = location };
            }
            foreach (var key in parsed)
            {
                keys.Add(key with { Label = label, NotAfter = notAfter, Location = location, Owner = owner });
            }
        }
        return keys;
    }

    /// <summary>cas.yaml: <c>name: { key: &lt;CA public key line&gt;, not_after: DATE, comment: TEXT }</c>.</summary>
    private static List<SourceCertificateAuthority> ReadAuthorities(string text, List<SourceProblem> problems)
    {
        var yaml = new YamlFile(AuthoritiesFile, problems);
        var authorities = new List<SourceCertificateAuthority>();
        if (!yaml.TryLoad(text, out var rootNode) || yaml.Mapping(rootNode, "cas.yaml") is not { } root)
        {
            return authorities;
        }
        foreach (var (keyNode, value) in root.Children)
        {
            if (yaml.Scalar(keyNode, "a CA name") is not { } name || yaml.Mapping(value, $"CA {name}") is not { } body)
            {
                continue;
            }
            string? line = null, comment = null;
            DateTimeOffset? notAfter = null;
            var location = yaml.At(keyNode);
            var keyLocation = location;
            foreach (var (fieldNode, fieldValue) in body.Children)
            {
                switch (yaml.Scalar(fieldNode, "a field name"))
                {
                    case "key":
                        line = yaml.Scalar(fieldValue, "key");
                        keyLocation = yaml.At(fieldValue);
                        break;
                    case "not_after":
                        notAfter = yaml.Date(fieldValue, "not_after");
                        break;
                    case "comment":
                        comment = yaml.Scalar(fieldValue, "comment");
                        break;
                    case { } other:
                        yaml.UnknownField(fieldNode, other, AuthorityFields);
                        break;
                }
            }
            if (line is null)
            {
                yaml.Invalid(value, $"CA {name} needs key: <its OpenSSH public key line>");
                continue;
            }
            // Normalised as a .keys line is (an RFC 4716 block pasted in becomes its one line).
            var parsed = KeysFileParser.Parse(keyLocation.File, line, []);
            var key = parsed.Count == 1 ? parsed[0] with { Location = keyLocation } : new SourceKey(line.Trim(), null, null, null, keyLocation);
            authorities.Add(new SourceCertificateAuthority(name, key, notAfter, comment, location));
        }
        return authorities;
    }

    private static Dictionary<string, string> Labels(YamlFile yaml, YamlNode node, string what)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (yaml.Mapping(node, what) is not { } mapping)
        {
            return labels;
        }
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (yaml.Scalar(keyNode, "a label name") is { } name && yaml.Scalar(value, $"label {name}") is { } text)
            {
                labels[name] = text;
            }
        }
        return labels;
    }

    private static List<SourceHost> ReadHosts(string text, List<SourceProblem> problems)
    {
        var yaml = new YamlFile(HostsFile, problems);
        var hosts = new List<SourceHost>();
        if (!yaml.TryLoad(text, out var rootNode) || yaml.Mapping(rootNode, "hosts.yaml") is not { } root)
        {
            return hosts;
        }
        foreach (var (keyNode, value) in root.Children)
        {
            if (yaml.Scalar(keyNode, "a host name") is { } name)
            {
                hosts.Add(new SourceHost(name, Labels(yaml, value, $"the labels of {name}"), yaml.At(keyNode)));
            }
        }
        return hosts;
    }

    private static string? ReadText(string root, string name)
    {
        string path = Path.Combine(root, name);
        return File.Exists(path) ? ReadFile(path) : null;
    }

    private static string ReadFile(string path)
    {
        var info = new FileInfo(path);
        if (info.Length > MaxFileBytes)
        {
            throw new IOException($"{path} is larger than {MaxFileBytes} bytes");
        }
        return File.ReadAllText(path, new UTF8Encoding(false));
    }
}
