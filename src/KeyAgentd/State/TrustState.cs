using System.Text.Json.Serialization;

namespace KeyAgentd.State;

/// <summary>
/// What this host has learnt to trust, kept apart from status.json (which is derived data anyone may
/// move away): state-dir/trust-state.json. Only ever raised by the sync engine; lowered only by the
/// audited `keyagentd trust reset-serial` and `trust allow-unsigned`.
/// </summary>
public sealed record TrustState
{
    public const int Version = 1;

    [JsonPropertyName("version")] public int FormatVersion { get; init; } = Version;

    /// <summary>The rollback floor under enforcement: the highest serial accepted with verified signatures.</summary>
    [JsonPropertyName("verified_floor")] public SerialMark? VerifiedFloor { get; init; }

    /// <summary>The highest serial accepted without verified signatures (Signatures off or report); never used under enforcement.</summary>
    [JsonPropertyName("unverified_floor")] public SerialMark? UnverifiedFloor { get; init; }

    /// <summary>Sticky enforcement: set once this host accepted a signed snapshot or ran under enforce.</summary>
    [JsonPropertyName("signatures_required")] public bool SignaturesRequired { get; init; }

    [JsonPropertyName("signatures_required_since")] public DateTimeOffset? SignaturesRequiredSince { get; init; }

    /// <summary>
    /// The version of the trust root this host holds (state-dir/root/N.json): only ever raised, by a root
    /// accepted from its predecessor. A root file missing while a version is recorded fails closed; it is
    /// never read as "no root".
    /// </summary>
    [JsonPropertyName("root_version")] public long? RootVersion { get; init; }

    /// <summary>
    /// The highest trust root version this host ever accepted, written only while it is above <see cref="RootVersion"/>
    /// (the root files were lost and the walk could not reach it again): the host refuses every snapshot
    /// (root-state-lost) until it can. Lowered only by `keyagentd trust reset-root`; null otherwise, so a file
    /// without it reads as before.
    /// </summary>
    [JsonPropertyName("root_floor")] public long? RootFloor { get; init; }

    /// <summary>"sha256:" and the hex digest of the document written with this field null: a damaged file is told from a valid one.</summary>
    [JsonPropertyName("checksum")] public string? Checksum { get; init; }

    /// <summary>This state after a snapshot was accepted: the floor it counts toward rises, never falls.</summary>
    public TrustState Accepted(SerialMark accepted, bool verified) => verified
        ? this with { VerifiedFloor = SerialMark.Max(VerifiedFloor, accepted) }
        : this with { UnverifiedFloor = SerialMark.Max(UnverifiedFloor, accepted) };

    public TrustState RequiringSignatures(DateTimeOffset now) =>
        SignaturesRequired ? this : this with { SignaturesRequired = true, SignaturesRequiredSince = now };
}
