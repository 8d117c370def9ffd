using System.Text;
using System.Text.Json.Nodes;
using KeyAgentd.Configuration;
using KeyAgentd.Tests.Support;

namespace KeyAgentd.Tests.Sync;

/// <summary>
/// An <see cref="EngineSandbox"/> whose host (web-1.example.com) trusts signed snapshots: an
/// allowed_signers file with signers for every window and state, a two-account registry carrying an
/// audience, a one-week validity and one revoked key, published as registry.json then registry.json.sig.
/// </summary>
public sealed class SignedSandbox : IDisposable
{
    public const string HostName = "web-1.example.com";

    public static readonly RegistrySigner Release = RegistrySigner.Get("release");
    public static readonly RegistrySigner Second = RegistrySigner.Get("second", "ecdsa", 256);
    public static readonly RegistrySigner Stranger = RegistrySigner.Get("stranger");
    public static readonly RegistrySigner Future = RegistrySigner.Get("future");
    public static readonly RegistrySigner Retired = RegistrySigner.Get("retired");
    public static readonly RegistrySigner Compromised = RegistrySigner.Get("compromised");

    public static readonly string[] Accounts = ["app", "ops"];
    public static readonly string AppKey = SshKeygen.Generate("ed25519", comment: "app-key");
    public static readonly string AppRsaKey = SshKeygen.Generate("rsa", 3072, comment: "app-rsa");
    public static readonly string OpsKey = SshKeygen.Generate("ecdsa", 256, comment: "ops-key");
    public static readonly string RevokedKey = SshKeygen.Generate("ed25519", comment: "revoked-key");

    /// <summary>Signer windows are relative to the sandbox clock (<see cref="EngineSandbox.Issued"/> + 5 min).</summary>
    public static readonly string AllowedSigners = string.Join('\n',
        Release.AllowedLine("release@example.com", "namespaces=\"keyagentd-registry\""),
        Second.AllowedLine("second@example.com"),
        Future.AllowedLine("future@example.com", "valid-after=\"20270101Z\""),
        Retired.AllowedLine("retired@example.com", "valid-before=\"20261101Z\""),
        Compromised.AllowedLine("compromised@example.com")) + "\n";

    public SignedSandbox(Action<KeyAgentdSettings>? configure = null, string? registryUrl = null)
    {
        Box = new EngineSandbox(Accounts, registryUrl, s =>
        {
            s.Host.Name = HostName;
            configure?.Invoke(s);
        });
        Box.Settings.Registry.AllowedSignersFile = AllowedSignersPath;
        Box.Settings.Registry.RevokedSignersFile = RevokedSignersPath;
        File.WriteAllText(AllowedSignersPath, AllowedSigners);
        File.WriteAllText(RevokedSignersPath, Compromised.KeyText + "\n");
    }

    public EngineSandbox Box { get; }

    public string AllowedSignersPath => Path.Combine(Box.Root, "allowed_signers");

    public string RevokedSignersPath => Path.Combine(Box.Root, "revoked_signers");

    public string SignaturePath => Box.RegistryPath + ".sig";

    public string KrlPath => Path.Combine(Box.Settings.State.Directory, "revoked_keys.krl");

    public string Metrics => File.ReadAllText(Box.Settings.Metrics.TextfilePath!);

    public static string Fingerprint(string line) => SyncSandbox.Fingerprint(line);

    /// <summary>The sandbox registry at <paramref name="serial"/>; <paramref name="edit"/> changes the document before it is signed.</summary>
    public static string Doc(long serial, Action<JsonObject>? edit = null) => EngineSandbox.Registry(serial, new()
    {
        ["app"] = [EngineSandbox.Key(AppKey, "alice@example.com"), EngineSandbox.Key(AppRsaKey, "bob@example.com")],
        ["ops"] = [EngineSandbox.Key(OpsKey, "carol@example.com"), EngineSandbox.Key(RevokedKey, "mallory@example.com")],
    }, expires: EngineSandbox.Issued.AddDays(7), edit: doc =>
    {
        doc["audience"] = new JsonArray("web-*.example.com", "bastion");
        doc["revoked"] = new JsonArray(Fingerprint(RevokedKey));
        edit?.Invoke(doc);
    });

    /// <summary>Publishes the document first and the signature second, as operators are told to; null removes the .sig.</summary>
    public void Publish(string json, byte[]? signature)
    {
        Box.WriteRegistry(json);
        if (signature is null)
        {
            File.Delete(SignaturePath);
            return;
        }
        File.WriteAllBytes(SignaturePath + ".tmp", signature);
        File.Move(SignaturePath + ".tmp", SignaturePath, overwrite: true);
    }

    public void PublishSigned(string json, params RegistrySigner[] signers) =>
        Publish(json, [.. signers.SelectMany(s => s.Sign(json))]);

    /// <summary>Every file a refused snapshot must leave alone: each authorized_keys, each helper cache file, the KRL.</summary>
    public SortedDictionary<string, byte[]?> ProtectedFiles()
    {
        var files = new SortedDictionary<string, byte[]?>(StringComparer.Ordinal);
        foreach (string account in Accounts)
        {
            files[Box.KeysPath(account)] = Read(Box.KeysPath(account));
            files[Box.CachePath(account)] = Read(Box.CachePath(account));
        }
        files[KrlPath] = Read(KrlPath);
        return files;
    }

    private static byte[]? Read(string path) => File.Exists(path) ? File.ReadAllBytes(path) : null;

    public static string Text(byte[]? bytes) => bytes is null ? "(absent)" : Encoding.UTF8.GetString(bytes);

    public void Dispose() => Box.Dispose();
}
