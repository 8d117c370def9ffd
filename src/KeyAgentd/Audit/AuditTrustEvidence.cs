using System.Text.Json;
using KeyAgentd.State;
using KeyAgentd.Storage;
using Mono.Unix.Native;

namespace KeyAgentd.Audit;

/// <summary>
/// The trust the audit log's recent records show: the highest serial accepted with verified signatures,
/// whether signatures were required and the highest trust root version accepted, each since the last
/// `trust-reset` that lowered it. The log
/// lives outside the state directory (Audit:Path), so a state directory restored from a backup does
/// not take this with it: it is the second place the rollback floor is kept.
/// </summary>
/// <remarks>
/// Only the last <see cref="TailBytes"/> of the current file are read (a 10 GiB log costs what a 1 KiB
/// one does): a floor older than that, or rotated away, is covered by trust-state.json alone.
/// </remarks>
public sealed record AuditTrustEvidence(SerialMark? SignedFloor, bool SignedAcceptance)
{
    public const int TailBytes = 1024 * 1024;

    /// <summary>The floor before the last signed acceptance: a snapshot accepted and then stopped by the mass-removal guard was never applied.</summary>
    private SerialMark? FloorBeforeAcceptance { get; init; }

    public static readonly AuditTrustEvidence None = new(null, false);

    /// <summary>The highest trust root version a root-accepted record names, or what `trust reset-root` set it to.</summary>
    public long? RootFloor { get; init; }

    /// <summary>Why the log's records were not read as evidence (someone other than root can write it); null when they were.</summary>
    public string? Ignored { get; init; }

    /// <summary>Reads the tail of <paramref name="auditPath"/>; a log that is absent or unreadable shows nothing.</summary>
    public static AuditTrustEvidence Read(string auditPath)
    {
        try
        {
            using var handle = Posix.TryOpenRegular(auditPath, out Stat stat, out _);
            if (handle is null || stat.st_size == 0)
            {
                return None;
            }
            if (!Posix.WritableOnlyByUs(stat))
            {
                // Whoever else can append could plant a signed acceptance of a huge serial (the next append
                // adopts it as a stopped append's record): every genuine snapshot, and the removals it carries,
                // would then be refused as a rollback. trust-state.json still holds the floor.
                return None with
                {
                    Ignored = $"audit log {auditPath} is owned by uid {stat.st_uid} with mode {Posix.Octal(stat)}: its records are not read as "
                        + $"trust evidence (the rollback floor rests on {TrustStateStore.FileName} alone); fix: chown root {auditPath}; chmod go-w {auditPath}",
                };
            }
            long start = Math.Max(0, stat.st_size - TailBytes);
            var buffer = new byte[stat.st_size - start];
            int read = RandomAccess.Read(handle, buffer, start);
            var tail = buffer.AsSpan(0, read);
            if (start > 0)
            {
                // The first line is cut at an arbitrary byte: skip to the next whole one.
                int newline = tail.IndexOf((byte)'\n');
                tail = newline < 0 ? [] : tail[(newline + 1)..];
            }
            return From(tail);
        }
        catch (IOException)
        {
            return None;
        }
    }

    /// <summary>Walks whole lines oldest first; a line that is not a record (torn, damaged) shows nothing.</summary>
    public static AuditTrustEvidence From(ReadOnlySpan<byte> lines)
    {
        var evidence = None;
        while (!lines.IsEmpty)
        {
            int newline = lines.IndexOf((byte)'\n');
            var line = newline < 0 ? lines : lines[..newline];
            lines = newline < 0 ? [] : lines[(newline + 1)..];
            if (Parse(line) is { } record)
            {
                evidence = evidence.After(record);
            }
        }
        return evidence;
    }

    private AuditTrustEvidence After(AuditRecord record)
    {
        if (!AuditActions.TryParse(record.Action, out var action))
        {
            return this;
        }
        return (action, record) switch
        {
            (AuditAction.SnapshotAccepted, { Serial: { } serial, Signers.Length: > 0 }) =>
                this with { SignedFloor = SerialMark.Max(SignedFloor, new SerialMark(serial, record.SnapshotSha256)), SignedAcceptance = true, FloorBeforeAcceptance = SignedFloor },
            (AuditAction.RootAccepted, { RootVersion: { } version }) => this with { RootFloor = Math.Max(RootFloor ?? version, version) },
            (AuditAction.TrustReset, _) when record.Reason == TrustResetReason.ResetRoot.ToCode() => this with { RootFloor = record.RootVersion },
            (AuditAction.GuardTripped, { Serial: { } tripped }) when tripped == SignedFloor?.Serial => this with { SignedFloor = FloorBeforeAcceptance },
            (AuditAction.TrustReset, { Serial: { } to }) when record.Reason == TrustResetReason.ResetSerial.ToCode() => this with { SignedFloor = new SerialMark(to, null) },
            (AuditAction.TrustReset, _) when record.Reason == TrustResetReason.AllowUnsigned.ToCode() => this with { SignedAcceptance = false },
            _ => this,
        };
    }

    /// <summary>The actions <see cref="After"/> reads, as they appear quoted in a line: the cheap test before parsing one.</summary>
    private static readonly byte[][] ActionsRead =
        [.. new[] { AuditAction.SnapshotAccepted, AuditAction.TrustReset, AuditAction.GuardTripped, AuditAction.RootAccepted }.Select(a => System.Text.Encoding.UTF8.GetBytes($"\"{a.ToCode()}\""))];

    private static bool NamesActionRead(ReadOnlySpan<byte> line)
    {
        foreach (byte[] quoted in ActionsRead)
        {
            if (line.IndexOf(quoted) >= 0)
            {
                return true;
            }
        }
        return false;
    }

    private static AuditRecord? Parse(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty || !NamesActionRead(line))
        {
            // Most lines are key changes: not parsed at all.
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(line, AuditJsonContext.Default.AuditRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
