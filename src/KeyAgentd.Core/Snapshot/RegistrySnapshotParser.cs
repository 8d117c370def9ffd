using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Unicode;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Snapshot;

/// <summary>
/// Reads a registry document (schema v1). Strict where a lenient reading could grant access the
/// registry did not mean to (types, duplicate names, the revoked list), tolerant of unknown fields
/// so the registry can grow. Only an account name no host could have is skipped rather than
/// refusing the document: the other accounts are still right.
/// <para>Streamed, never held as a tree: one pass over the bytes for the syntax and the property names
/// (<see cref="CheckSyntax"/>), then the fields, read in a fixed order (not the document's), so what is refused,
/// and with which message, does not depend on how the document is laid out.</para>
/// </summary>
public static partial class RegistrySnapshotParser
{
    /// <summary>The schema is 5 levels deep; 32 leaves room for extensions and stops stack-hungry input.</summary>
    public const int MaxDepth = 32;

    /// <param name="utf8Json">
    /// Read in place, not copied (a snapshot is megabytes), and still referred to by the snapshot: a key's text is
    /// kept as its bytes in the document until it is asked for. Not to be changed while the snapshot is in use.
    /// </param>
    public static bool TryParse(ReadOnlyMemory<byte> utf8Json, [NotNullWhen(true)] out RegistrySnapshot? snapshot, [NotNullWhen(false)] out SnapshotError? error)
    {
        snapshot = null;
        if (utf8Json.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8Json = utf8Json[3..];
        }
        if (!Utf8.IsValid(utf8Json.Span))
        {
            error = new SnapshotError(SnapshotError.InvalidJson, "the document is not valid UTF-8");
            return false;
        }
        // Syntax and names first, over the whole document, so a refusal does not depend on where a problem sits.
        error = CheckSyntax(utf8Json.Span);
        if (error is not null)
        {
            return false;
        }
        try
        {
            var reader = new Utf8JsonReader(utf8Json.Span, ReaderOptions);
            reader.Read();
            snapshot = ReadSnapshot(new Node(utf8Json, 0, utf8Json.Length, reader.TokenType));
            return true;
        }
        catch (SnapshotFormatException e)
        {
            error = e.Error;
            return false;
        }
        catch (InvalidOperationException e)
        {
            // A string escape that is not valid UTF-16 (a lone \uD800) is sound JSON but cannot be read.
            error = new SnapshotError(SnapshotError.InvalidJson, SafeText.Escape(e.Message, 300));
            return false;
        }
    }

    private static RegistrySnapshot ReadSnapshot(Node document)
    {
        if (document.Kind != JsonTokenType.StartObject)
        {
            throw Fail(SnapshotError.InvalidJson, $"the document is {Describe(document.Kind)}, not a JSON object");
        }
        var root = document.Members();
        // Schema first: a document of another version may legitimately differ in everything else.
        string schema = ReadString(Required(root, "schema", ""), "schema");
        if (schema != RegistrySnapshot.SchemaV1)
        {
            throw Fail(SnapshotError.WrongSchema, $"schema is \"{SafeText.Escape(schema, 80)}\", expected \"{RegistrySnapshot.SchemaV1}\"");
        }
        long serial = ReadSerial(Required(root, "serial", ""));
        DateTimeOffset? issuedAt = Optional(root, "issued_at", out var issued) ? ReadDate(issued, "issued_at") : null;
        DateTimeOffset? expiresAt = Optional(root, "expires_at", out var expires) ? ReadDate(expires, "expires_at") : null;
        var people = ReadPeople(Required(root, "people", ""));
        var rejections = new List<KeyRejection>();
        var accounts = ReadAccounts(Required(root, "accounts", ""), people, rejections);
        var revoked = Optional(root, "revoked", out var revokedNode) ? ReadRevoked(revokedNode) : [];
        var revokedCertificates = Optional(root, "revoked_certificates", out var certificatesNode) ? ReadRevokedCertificates(certificatesNode) : [];
        var approval = Optional(root, "removal_approval", out var approvalNode) ? ReadRemovalApproval(approvalNode) : null;
        var audience = Optional(root, "audience", out var audienceNode) ? ReadAudience(audienceNode) : null;
        return new RegistrySnapshot(RegistrySnapshot.SchemaV1, serial, issuedAt, expiresAt, people, accounts, revoked)
        {
            Rejections = rejections,
            RemovalApproval = approval,
            Audience = audience,
            RevokedCertificates = revokedCertificates,
        };
    }

    private static Dictionary<string, RegistryPerson> ReadPeople(Node node)
    {
        var members = ReadObject(node, "people");
        var people = new Dictionary<string, RegistryPerson>(members.Count, StringComparer.Ordinal);
        foreach (var (name, value) in members)
        {
            string path = Child("people", name);
            var body = ReadObject(value, path);
            var keys = Optional(body, "keys", out var keysNode) ? ReadKeys(keysNode, path + ".keys") : [];
            people[name] = new RegistryPerson(keys);
        }
        return people;
    }

    private static Dictionary<string, RegistryAccount> ReadAccounts(Node node, Dictionary<string, RegistryPerson> people, List<KeyRejection> rejections)
    {
        var members = ReadObject(node, "accounts");
        var accounts = new Dictionary<string, RegistryAccount>(members.Count, StringComparer.Ordinal);
        var personNames = people.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var (name, value) in members)
        {
            if (!AccountName.IsValid(name))
            {
                rejections.Add(InvalidAccountName(name));
                continue;
            }
            string path = Child("accounts", name);
            var body = ReadObject(value, path);
            string[] grants = [];
            if (Optional(body, "grants", out var grantsNode))
            {
                var items = ReadArray(grantsNode, path + ".grants");
                grants = new string[items.Count];
                for (int i = 0; i < items.Count; i++)
                {
                    grants[i] = ReadShared(items[i], $"{path}.grants[{i}]", personNames);
                }
            }
            string? options = Optional(body, "options", out var optionsNode) ? ReadString(optionsNode, path + ".options") : null;
            var keys = Optional(body, "keys", out var keysNode) ? ReadKeys(keysNode, path + ".keys") : [];
            var authorities = Optional(body, "cert_authorities", out var authoritiesNode) ? ReadAuthorities(authoritiesNode, path + ".cert_authorities") : [];
            accounts[name] = new RegistryAccount(grants, options, keys) { CertAuthorities = authorities };
        }
        return accounts;
    }

    internal static KeyRejection InvalidAccountName(string name) =>
        KeyRejection.Create(name, "", null, "", null, new Verdict(ReasonCode.InvalidAccountName,
            $"\"{SafeText.Escape(name, 64)}\" is not a valid account name (1-32 of A-Z a-z 0-9 _ . -, not starting with '.' or '-'); its keys are skipped"));

    private static RegistryKey[] ReadKeys(Node node, string path)
    {
        var entries = ReadArray(node, path);
        var keys = new RegistryKey[entries.Count];
        for (int index = 0; index < entries.Count; index++)
        {
            string entryPath = $"{path}[{index}]";
            var body = ReadObject(entries[index], entryPath);
            var key = Required(body, "key", entryPath);
            // The usual key (a string without escapes) stays where it is in the document, read when it is expanded.
            string? keyText = key.Kind == JsonTokenType.String && !key.Open().ValueIsEscaped ? null : ReadString(key, entryPath + ".key");
            string? label = Optional(body, "label", out var labelNode) ? ReadString(labelNode, entryPath + ".label") : null;
            DateTimeOffset? notAfter = Optional(body, "not_after", out var notAfterNode) ? ReadDate(notAfterNode, entryPath + ".not_after") : null;
            string? owner = Optional(body, "owner", out var ownerNode) ? ReadString(ownerNode, entryPath + ".owner") : null;
            keys[index] = keyText is null ? new RegistryKey(key.StringBytes, label, notAfter, owner) : new RegistryKey(keyText, label, notAfter, owner);
        }
        return keys;
    }

    /// <summary>
    /// Structure only, like a key entry: a malformed entry refuses the document (a CA silently
    /// skipped or read differently could grant what nobody reviewed); the key, the principals and the
    /// options are judged by the expander, where one bad grant is refused on its own.
    /// </summary>
    private static List<CertificateAuthorityGrant> ReadAuthorities(Node node, string path)
    {
        var authorities = new List<CertificateAuthorityGrant>();
        int index = 0;
        foreach (var entry in ReadArray(node, path))
        {
            string entryPath = $"{path}[{index++}]";
            var body = ReadObject(entry, entryPath);
            string name = ReadString(Required(body, "name", entryPath), entryPath + ".name");
            string key = ReadString(Required(body, "key", entryPath), entryPath + ".key");
            var principals = new List<string>();
            int principal = 0;
            foreach (var item in ReadArray(Required(body, "principals", entryPath), entryPath + ".principals"))
            {
                principals.Add(ReadString(item, $"{entryPath}.principals[{principal++}]"));
            }
            string? options = Optional(body, "options", out var optionsNode) ? ReadString(optionsNode, entryPath + ".options") : null;
            DateTimeOffset? notAfter = Optional(body, "not_after", out var notAfterNode) ? ReadDate(notAfterNode, entryPath + ".not_after") : null;
            authorities.Add(new CertificateAuthorityGrant(name, key, principals, options, notAfter));
        }
        return authorities;
    }

    /// <summary>
    /// A malformed entry here would silently fail to revoke a key, so the whole document is refused
    /// (and the last good one, with its revocations, stays in force).
    /// </summary>
    private static List<string> ReadRevoked(Node node)
    {
        var revoked = new List<string>();
        int index = 0;
        foreach (var entry in ReadArray(node, "revoked"))
        {
            string path = $"revoked[{index++}]";
            string fingerprint = ReadString(entry, path);
            if (!Fingerprint.IsSha256(fingerprint))
            {
                throw Fail(SnapshotError.InvalidField, $"{path}: expected a fingerprint like SHA256:<43 base64 characters>, got \"{SafeText.Escape(fingerprint, 80)}\"");
            }
            revoked.Add(fingerprint);
        }
        return revoked;
    }

    /// <summary>
    /// An approval is what lets a large removal through on every host, so a malformed one refuses the
    /// document instead of being guessed at; a reason is required so the audit log says why.
    /// </summary>
    private static RemovalApproval ReadRemovalApproval(Node node)
    {
        const string path = "removal_approval";
        var body = ReadObject(node, path);
        var serialNode = Required(body, "serial", path);
        if (!TryReadInt64(serialNode, out long serial) || serial < 0)
        {
            throw Fail(SnapshotError.InvalidField, $"{path}.serial: expected the non-negative integer serial of the snapshot it approves");
        }
        var countNode = Required(body, "max_removed_keys", path);
        if (!TryReadInt32(countNode, out int maxRemoved) || maxRemoved < 1)
        {
            throw Fail(SnapshotError.InvalidField, $"{path}.max_removed_keys: expected a positive integer, the most keys one host may lose");
        }
        string reason = ReadString(Required(body, "reason", path), path + ".reason");
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > 500 || SafeText.ContainsControl(reason))
        {
            throw Fail(SnapshotError.InvalidField, $"{path}.reason: expected one line of text (1-500 characters) saying why");
        }
        return new RemovalApproval(serial, maxRemoved, reason);
    }

    /// <summary>
    /// The audience decides which hosts may apply the document, so a malformed entry refuses it rather
    /// than being skipped (skipping could widen or narrow the audience silently). An empty list is for no host.
    /// </summary>
    private static List<string> ReadAudience(Node node)
    {
        var audience = new List<string>();
        int index = 0;
        foreach (var entry in ReadArray(node, "audience"))
        {
            string path = $"audience[{index++}]";
            string glob = ReadString(entry, path);
            if (glob.Length is 0 or > 255 || glob.Any(c => c <= ' ' || c == 0x7F))
            {
                throw Fail(SnapshotError.InvalidField, $"{path}: expected a host-name glob such as web-*.example.com, got \"{SafeText.Escape(glob, 80)}\"");
            }
            audience.Add(glob);
        }
        return audience;
    }
}
