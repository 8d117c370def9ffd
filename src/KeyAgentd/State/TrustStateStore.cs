using System.Security.Cryptography;
using System.Text.Json;
using KeyAgentd.Storage;
using Mono.Unix.Native;

namespace KeyAgentd.State;

/// <summary>
/// state-dir/trust-state.json: the rollback floor and sticky enforcement (<see cref="TrustState"/>),
/// written durably (temp file, fsync, rename, fsync of the directory) with a checksum, so a torn,
/// edited or truncated file is told from a valid one and refused, never read as "no floor".
/// </summary>
public sealed class TrustStateStore(string stateDirectory)
{
    public const string FileName = "trust-state.json";

    /// <summary>A few hundred bytes when valid; anything much larger is not this file.</summary>
    private const int MaxBytes = 64 * 1024;

    public string FilePath { get; } = Path.Combine(Path.GetFullPath(stateDirectory), FileName);

    public TrustStateRead Load()
    {
        byte[] content;
        try
        {
            using var handle = Posix.TryOpenRegular(FilePath, out Stat stat, out string? notRegular);
            if (handle is null)
            {
                return notRegular is null ? TrustStateRead.Missing : Damaged($"is {notRegular}, not a regular file");
            }
            // Whoever else could write it could lower the floor: such a file is not this host's trust.
            if (!Posix.WritableOnlyByUs(stat))
            {
                return Damaged($"is owned by uid {stat.st_uid} with mode {Posix.Octal(stat)}: it must be root's and not group/world-writable");
            }
            content = Posix.ReadBounded(handle, MaxBytes, stat.st_size, FilePath, out bool tooLarge);
            if (tooLarge)
            {
                return Damaged($"is larger than {MaxBytes} bytes");
            }
        }
        catch (IOException e)
        {
            return Damaged($"cannot be read ({e.Message})");
        }
        return Parse(content);
    }

    /// <exception cref="IOException">Nothing was replaced; the message names the path.</exception>
    public void Save(TrustState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var sealedState = state with { Checksum = ChecksumOf(state) };
        byte[] content = JsonSerializer.SerializeToUtf8Bytes(sealedState, StateJsonContext.Default.TrustState);
        StateDirectory.Create(Path.GetDirectoryName(FilePath)!);
        DurableFile.WriteAllBytes(FilePath, [.. content, (byte)'\n'], Posix.Mode0644);
    }

    private TrustStateRead Parse(byte[] content)
    {
        TrustState? state;
        try
        {
            state = JsonSerializer.Deserialize(content, StateJsonContext.Default.TrustState);
        }
        catch (JsonException e)
        {
            return Damaged($"is not valid JSON ({e.Message})");
        }
        if (state is null || state.FormatVersion != TrustState.Version)
        {
            return Damaged($"is not a version {TrustState.Version} trust state");
        }
        if (!string.Equals(state.Checksum, ChecksumOf(state), StringComparison.Ordinal))
        {
            return Damaged("fails its checksum (edited, truncated or torn)");
        }
        return new TrustStateRead(state, null);
    }

    private static string ChecksumOf(TrustState state) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(state with { Checksum = null }, StateJsonContext.Default.TrustState)));

    private TrustStateRead Damaged(string why) => new(null, $"{FilePath} {why}");
}
