using System.Globalization;
using KeyAgentd.Core.Snapshot;

namespace KeyAgentd.Core.Planning;

/// <summary>
/// The mass-removal check of one cycle. <see cref="Removed"/> counts distinct keys no longer granted,
/// <see cref="Withdrawn"/> revoked or expired ones (never held back), <see cref="Total"/> distinct
/// registry keys present before the cycle.
/// </summary>
public sealed record RemovalGuardResult(bool Tripped, int Removed, int Withdrawn, int Total, double Percent, RemovalLimits Limits)
{
    /// <summary>The snapshot's removal_approval that let an over-limit removal through.</summary>
    public RemovalApproval? ApprovedBy { get; init; }

    /// <summary>A removal_approval present but not applicable (another serial, or fewer keys than this removes).</summary>
    public RemovalApproval? IgnoredApproval { get; init; }

    /// <summary>For people: what the guard decided and why. Nothing parses this.</summary>
    public string Describe()
    {
        string share = string.Create(CultureInfo.InvariantCulture, $"{Removed} of {Total} managed keys ({Percent:0.#}%)");
        string limit = string.Create(CultureInfo.InvariantCulture,
            $"Safety:MaxRemovalPercent ({Limits.MaxPercent:0.#}%) and Safety:MinRemovedKeys ({Limits.MinKeys})");
        string withdrawn = Withdrawn > 0 ? $"; {Withdrawn} revoked or expired key(s) are removed regardless" : "";
        if (Tripped)
        {
            string ignored = IgnoredApproval is { } a
                ? string.Create(CultureInfo.InvariantCulture, $"; the snapshot's removal_approval (serial {a.Serial}, up to {a.MaxRemovedKeys} keys) does not cover it")
                : "";
            return $"this sync would remove {share}, over {limit}; nothing was changed{withdrawn}{ignored} (review with sync --dry-run, then --force, or approve it in the registry)";
        }
        if (ApprovedBy is { } approval)
        {
            return $"removes {share}, over {limit}, approved by the registry: {SafeText.Escape(approval.Reason, 200)}{withdrawn}";
        }
        return $"removes {share}, within {limit}{withdrawn}";
    }
}
