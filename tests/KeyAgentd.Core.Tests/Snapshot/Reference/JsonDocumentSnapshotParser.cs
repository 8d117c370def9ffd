using KeyAgentd.Core;
using KeyAgentd.Core.Snapshot;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Unicode;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Tests.Snapshot.Reference;

/// <summary>
/// Reads a registry document (schema v1). Strict where a lenient reading could grant access the
/// registry did not mean to (types, duplicate names, the revoked list), tolerant of unknown fields
/// so the registry can grow. Only an account name no host could have is skipped rather than
/// refusing the document: the other accounts are still right.
/// </summary>
internal static partial class JsonDocumentSnapshotParser
{
    /// <summary>The schema is 5 levels deep; 32 leaves room for extensions and stops stack-hungry input.</summary>
    public const int MaxDepth = 32;

    /// <param name="utf8Json">Read in place, not copied (a snapshot is megabytes): not to be changed while this runs.</param>
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
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            error = new SnapshotError(SnapshotError.InvalidJson, SafeText.Escape(e.Message, 300));
            return false;
        }
        using (document)
        {
            try
            {
                RejectDuplicateProperties(document.RootElement, "$");
                snapshot = ReadSnapshot(document.RootElement);
                error = null;
                return true;
            }
            catch (SnapshotFormatException e)
            {
                error = e.Error;
                return false;
            }
            catch (InvalidOperationException e)
            {
                // A string escape that is not valid UTF-16 (a lone \uD800) parses but cannot be read.
                error = new SnapshotError(SnapshotError.InvalidJson, SafeText.Escape(e.Message, 300));
                return false;
            }
        }
    }

    private static RegistrySnapshot ReadSnapshot(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Fail(SnapshotError.InvalidJson, $"the document is {Describe(root.ValueKind)}, not a JSON object");
        }
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
        var accounts = ReadAccounts(Required(root, "accounts", ""), rejections);
        var revoked = Optional(root, "revoked", out var revokedElement) ? ReadRevoked(revokedElement) : [];
        var revokedCertificates = Optional(root, "revoked_certificates", out var certificatesElement) ? ReadRevokedCertificates(certificatesElement) : [];
        var approval = Optional(root, "removal_approval", out var approvalElement) ? ReadRemovalApproval(approvalElement) : null;
        var audience = Optional(root, "audience", out var audienceElement) ? ReadAudience(audienceElement) : null;
        return new RegistrySnapshot(RegistrySnapshot.SchemaV1, serial, issuedAt, expiresAt, people, accounts, revoked)
        {
            Rejections = rejections,
            RemovalApproval = approval,
            Audience = audience,
            RevokedCertificates = revokedCertificates,
        };
    }

    private static Dictionary<string, RegistryPerson> ReadPeople(JsonElement element)
    {
        var people = new Dictionary<string, RegistryPerson>(StringComparer.Ordinal);
        foreach (var person in ReadObject(element, "people").EnumerateObject())
        {
            string path = Child("people", person.Name);
            var body = ReadObject(person.Value, path);
            var keys = Optional(body, "keys", out var keysElement) ? ReadKeys(keysElement, path + ".keys") : [];
            people[person.Name] = new RegistryPerson(keys);
        }
        return people;
    }

    private static Dictionary<string, RegistryAccount> ReadAccounts(JsonElement element, List<KeyRejection> rejections)
    {
        var accounts = new Dictionary<string, RegistryAccount>(StringComparer.Ordinal);
        foreach (var account in ReadObject(element, "accounts").EnumerateObject())
        {
            if (!AccountName.IsValid(account.Name))
            {
                rejections.Add(RegistrySnapshotParser.InvalidAccountName(account.Name));
                continue;
            }
            string path = Child("accounts", account.Name);
            var body = ReadObject(account.Value, path);
            var grants = new List<string>();
            if (Optional(body, "grants", out var grantsElement))
            {
                int index = 0;
                foreach (var grant in ReadArray(grantsElement, path + ".grants").EnumerateArray())
                {
                    grants.Add(ReadString(grant, $"{path}.grants[{index++}]"));
                }
            }
            string? options = Optional(body, "options", out var optionsElement) ? ReadString(optionsElement, path + ".options") : null;
            var keys = Optional(body, "keys", out var keysElement) ? ReadKeys(keysElement, path + ".keys") : [];
            var authorities = Optional(body, "cert_authorities", out var authoritiesElement) ? ReadAuthorities(authoritiesElement, path + ".cert_authorities") : [];
            accounts[account.Name] = new RegistryAccount(grants, options, keys) { CertAuthorities = authorities };
        }
        return accounts;
    }


    private static List<RegistryKey> ReadKeys(JsonElement element, string path)
    {
        var keys = new List<RegistryKey>();
        int index = 0;
        foreach (var entry in ReadArray(element, path).EnumerateArray())
        {
            string entryPath = $"{path}[{index++}]";
            var body = ReadObject(entry, entryPath);
            string key = ReadString(Required(body, "key", entryPath), entryPath + ".key");
            string? label = Optional(body, "label", out var labelElement) ? ReadString(labelElement, entryPath + ".label") : null;
            DateTimeOffset? notAfter = Optional(body, "not_after", out var notAfterElement) ? ReadDate(notAfterElement, entryPath + ".not_after") : null;
            string? owner = Optional(body, "owner", out var ownerElement) ? ReadString(ownerElement, entryPath + ".owner") : null;
            keys.Add(new RegistryKey(key, label, notAfter, owner));
        }
        return keys;
    }

    /// <summary>
    /// Structure only, like a key entry: a malformed entry refuses the document (a CA silently
    /// skipped or read differently could grant what nobody reviewed); the key, the principals and the
    /// options are judged by the expander, where one bad grant is refused on its own.
    /// </summary>
    private static List<CertificateAuthorityGrant> ReadAuthorities(JsonElement element, string path)
    {
        var authorities = new List<CertificateAuthorityGrant>();
        int index = 0;
        foreach (var entry in ReadArray(element, path).EnumerateArray())
        {
            string entryPath = $"{path}[{index++}]";
            var body = ReadObject(entry, entryPath);
            string name = ReadString(Required(body, "name", entryPath), entryPath + ".name");
            string key = ReadString(Required(body, "key", entryPath), entryPath + ".key");
            var principals = new List<string>();
            int principal = 0;
            foreach (var item in ReadArray(Required(body, "principals", entryPath), entryPath + ".principals").EnumerateArray())
            {
                principals.Add(ReadString(item, $"{entryPath}.principals[{principal++}]"));
            }
            string? options = Optional(body, "options", out var optionsElement) ? ReadString(optionsElement, entryPath + ".options") : null;
            DateTimeOffset? notAfter = Optional(body, "not_after", out var notAfterElement) ? ReadDate(notAfterElement, entryPath + ".not_after") : null;
            authorities.Add(new CertificateAuthorityGrant(name, key, principals, options, notAfter));
        }
        return authorities;
    }

    /// <summary>
    /// A malformed entry here would silently fail to revoke a key, so the whole document is refused
    /// (and the last good one, with its revocations, stays in force).
    /// </summary>
    private static List<string> ReadRevoked(JsonElement element)
    {
        var revoked = new List<string>();
        int index = 0;
        foreach (var entry in ReadArray(element, "revoked").EnumerateArray())
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
    private static RemovalApproval ReadRemovalApproval(JsonElement element)
    {
        const string path = "removal_approval";
        var body = ReadObject(element, path);
        var serialElement = Required(body, "serial", path);
        if (serialElement.ValueKind != JsonValueKind.Number || !serialElement.TryGetInt64(out long serial) || serial < 0)
        {
            throw Fail(SnapshotError.InvalidField, $"{path}.serial: expected the non-negative integer serial of the snapshot it approves");
        }
        var countElement = Required(body, "max_removed_keys", path);
        if (countElement.ValueKind != JsonValueKind.Number || !countElement.TryGetInt32(out int maxRemoved) || maxRemoved < 1)
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
    private static List<string> ReadAudience(JsonElement element)
    {
        var audience = new List<string>();
        int index = 0;
        foreach (var entry in ReadArray(element, "audience").EnumerateArray())
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
