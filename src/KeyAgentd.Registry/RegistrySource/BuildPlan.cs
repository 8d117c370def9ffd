using KeyAgentd.Core.Snapshot;
using KeyAgentd.Core.Source;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// The pure half of `registry build`: given what the source renders and what the directories hold now
/// (read at the edge), which documents are new, changed, re-issued, unchanged or removed, the one
/// serial of those written, and the mass-removal guard's verdict per document. No disk, no clock (the
/// build time is <see cref="BuildSettings.Now"/>), no signer: <see cref="BuildPublisher"/> applies it.
/// Documents are decided one at a time (<see cref="Decide"/>), so a build holds one rendered body at a time.
/// </summary>
internal sealed class BuildPlan
{
    private readonly BuildSettings _settings;
    private readonly bool _signing;
    private readonly DocumentDiffer _diffs;
    private readonly HashSet<string> _targets = new(StringComparer.Ordinal);
    private readonly List<string> _new = [];
    private readonly List<string> _changed = [];
    private readonly List<string> _reissued = [];
    private readonly List<(string, SnapshotDiff)> _guarded = [];

    /// <param name="highestSerial">the highest serial in the output directory and the published tree</param>
    /// <param name="signing">the build signs: an unchanged document without a signature is signed as it is</param>
    public BuildPlan(BuildSettings settings, long highestSerial, bool signing)
    {
        _settings = settings;
        _signing = signing;
        _diffs = new DocumentDiffer(settings.Policy, settings.Now, settings.Limits);
        // The build time in Unix seconds, or one past the highest serial seen if that is higher, so no
        // host ever sees a serial go back, even for a host that left the inventory and came back.
        Serial = Math.Max(highestSerial + 1, settings.Now.ToUnixTimeSeconds());
    }

    public long Serial { get; }

    public IReadOnlyList<string> New => _new;

    public IReadOnlyList<string> Changed => _changed;

    public IReadOnlyList<string> Reissued => _reissued;

    public int Unchanged { get; private set; }

    /// <summary>Documents whose host would refuse them under the mass-removal guard, with the diff that says why.</summary>
    public IReadOnlyList<(string Document, SnapshotDiff Diff)> Guarded => _guarded;

    /// <summary>A document trips the guard and neither --force nor --approve-removal was given: nothing is published.</summary>
    public bool Stops => _guarded.Count > 0 && !_settings.Force && _settings.ApproveRemoval is null;

    /// <exception cref="InvalidDataException">The published copy is no registry document (<see cref="DocumentDiffer"/>).</exception>
    public DocumentDecision Decide(RenderedDocument target, CurrentDocument current)
    {
        _targets.Add(target.Name);
        // The guard compares with what hosts hold now: the published tree (--diff-against) or DIR itself.
        // A file there that is no registry document is an error (DocumentDiffer), never a host that held nothing.
        SnapshotDiff? guarded = null;
        var prepared = current.Guard ?? PrepareGuard(target, current);
        prepared.Error?.Throw();
        if (prepared.Diff is { Guard.Tripped: true } diff)
        {
            guarded = diff;
            _guarded.Add((target.Name, diff));
        }
        var before = current.InOutput.Header;
        bool sameContent = before is not null && Plausible(before) && current.InOutput.Holds(target);
        if (sameContent && before!.ExpiresAt - _settings.Now > _settings.RefreshBefore)
        {
            Unchanged++;
            // The very bytes the source renders, not signed yet (built unsigned before): their serial and ETag are kept.
            return new DocumentDecision(target, BuildChange.Unchanged)
            {
                SignAsIs = _signing && !current.SignedInOutput ? current.InOutput.Bytes : null,
                Guarded = guarded,
            };
        }
        var change = before is null ? BuildChange.New : sameContent ? BuildChange.Reissued : BuildChange.Changed;
        (change switch { BuildChange.New => _new, BuildChange.Reissued => _reissued, _ => _changed }).Add(target.Name);
        // --approve-removal: a document over the guard carries the approval its hosts honour, for this serial only.
        var approval = guarded is not null && _settings.ApproveRemoval is { } reason ? new RemovalApproval(Serial, guarded.Guard.Removed, reason) : null;
        return new DocumentDecision(target, change)
        {
            Header = new DocumentHeader(Serial, _settings.Now, _settings.Now + _settings.Validity, target.Audience, target.ContentDigest)
            {
                Commit = _settings.Commit,
                RemovalApproval = approval,
            },
            Guarded = guarded,
        };
    }

    /// <summary>
    /// The guard's comparison of what the source renders with the copy hosts hold now, when that copy is not
    /// already these very bytes. Pure and safe on several threads at once, so a build makes it on all cores
    /// ahead of <see cref="Decide"/> (a change everywhere compares every document); an unreadable copy's
    /// error is kept for <see cref="Decide"/> to throw.
    /// </summary>
    public PreparedGuard PrepareGuard(RenderedDocument target, CurrentDocument current)
    {
        var published = current.Published;
        if (published.Bytes is null || published.Holds(target))
        {
            return new PreparedGuard(null, null);
        }
        try
        {
            return new PreparedGuard(_diffs.Compare(published.Bytes, DocumentDiffer.Unstamped(_settings.Now, target.Audience, target.Body), published.Path), null);
        }
        catch (InvalidDataException e)
        {
            return new PreparedGuard(null, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e));
        }
    }

    /// <summary>
    /// The documents of the output directory the source no longer builds, by name. Only documents a build
    /// wrote (they carry build.content) are removed: a hand-written file in DIR is not ours to delete.
    /// </summary>
    public IReadOnlyList<string> Removals(IReadOnlyDictionary<string, PublishedDocument> inOutput) =>
        inOutput.Where(d => d.Value.ContentDigest is not null && !_targets.Contains(d.Key)).Select(d => d.Key).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Metadata a build could have written, so keeping it keeps nothing an editor of the published copy chose:
    /// issued no later than now, expiring no later than a build now would set, a commit id or none, and a
    /// removal approval only for the document's own serial (as a build writes it). Anything else is rebuilt.
    /// </summary>
    private bool Plausible(PublishedDocument document) =>
        document.IssuedAt is { } issued && issued <= _settings.Now && document.ExpiresAt <= _settings.Now + _settings.Validity && document.Serial > 0 &&
        (document.Commit is null || (document.Commit.Length is 40 or 64 && document.Commit.All(char.IsAsciiHexDigitLower))) &&
        (document.RemovalApproval is null || document.RemovalApproval.Serial == document.Serial);
}
