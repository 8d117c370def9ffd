using System.Text.Json;
using KeyAgentd.Core.Keys;

namespace KeyAgentd.Core.Snapshot;

public static partial class RegistrySnapshotParser
{
    /// <summary>
    /// `revoked_certificates`: [{"ca": "type base64", "serials": ["42", "10-20"], "key_ids": ["…"]}].
    /// Serials are decimal strings because they are 64-bit: a JSON number past 2^53 loses digits in
    /// most readers a reviewer would use. As for `revoked`, a malformed entry would silently fail to
    /// revoke, so it refuses the whole document (the last good one, with its revocations, stays).
    /// </summary>
    private static IReadOnlyList<RevokedCertificates> ReadRevokedCertificates(Node node)
    {
        var entries = new List<RevokedCertificates>();
        int index = 0;
        foreach (var entry in ReadArray(node, "revoked_certificates"))
        {
            string path = $"revoked_certificates[{index++}]";
            var body = ReadObject(entry, path);
            var ca = ReadCa(ReadString(Required(body, "ca", path), path + ".ca"), path + ".ca");
            var serials = new List<SerialRange>();
            if (Optional(body, "serials", out var serialsNode))
            {
                int i = 0;
                foreach (var serial in ReadArray(serialsNode, path + ".serials"))
                {
                    string serialPath = $"{path}.serials[{i++}]";
                    if (!SerialRange.TryParse(ReadString(serial, serialPath), out var range, out string problem))
                    {
                        throw Fail(SnapshotError.InvalidField, $"{serialPath}: {problem}");
                    }
                    serials.Add(range);
                }
            }
            var keyIds = new List<string>();
            if (Optional(body, "key_ids", out var keyIdsNode))
            {
                int i = 0;
                foreach (var keyIdNode in ReadArray(keyIdsNode, path + ".key_ids"))
                {
                    string keyIdPath = $"{path}.key_ids[{i++}]";
                    string keyId = ReadString(keyIdNode, keyIdPath);
                    if (RevokedCertificates.KeyIdProblem(keyId) is { } problem)
                    {
                        throw Fail(SnapshotError.InvalidField, $"{keyIdPath}: {problem}");
                    }
                    keyIds.Add(keyId);
                }
            }
            entries.Add(new RevokedCertificates(ca, serials, keyIds));
        }
        return RevokedCertificates.Canonical(entries);
    }

    /// <summary>Exactly "type base64", a plain key: what the registry side writes.</summary>
    private static SshPublicKey ReadCa(string text, string path)
    {
        string[] parts = text.Split(' ');
        SshPublicKey? ca = null;
        string? why = null;
        if (parts.Length == 2)
        {
            try
            {
                ca = SshPublicKeyDecoder.Decode(parts[0], parts[1]);
                why = RevokedCertificates.CaProblem(ca);
            }
            catch (KeyFormatException e)
            {
                why = e.Message;
            }
        }
        if (ca is null || why is not null)
        {
            throw Fail(SnapshotError.InvalidField, $"{path}: expected a CA public key as \"type base64\"{(why is null ? "" : ": " + why)}");
        }
        return ca;
    }
}
