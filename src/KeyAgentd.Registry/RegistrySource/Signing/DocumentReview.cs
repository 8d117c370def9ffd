using KeyAgentd.Core.Snapshot;
using KeyAgentd.Core.Source;
using KeyAgentd.Trust.Policy;

namespace KeyAgentd.RegistrySource.Signing;

/// <summary>
/// What `registry sign` checks before it signs anything, so that a signer signs only what was built
/// (README "Security"): every document must be the builder's bytes for its own header (body and
/// build.content agree); every signature it already carries must verify against --allowed-signers
/// (with signatures and no allowed-signers, it fails closed); and with --source, it must be byte for
/// byte what the reviewed source builds, with nothing missing and nothing extra. One refusal refuses all.
/// With <paramref name="dropInvalid"/> (--drop-invalid), a block that does not verify is listed in
/// <see cref="Dropped"/> instead of refusing the document, and <see cref="SignatureFile.Merge"/> leaves it out.
/// </summary>
internal sealed class DocumentReview(RegistryTrust? allowedSigners, IReadOnlyDictionary<string, RenderedDocument>? source, DateTimeOffset now,
    bool dropInvalid = false)
{
    public sealed record Refusal(string Document, SignRefusal Reason, string? Detail = null);

    /// <summary>A signature block --drop-invalid leaves out of the document's new .sig, and why it did not verify.</summary>
    public sealed record DroppedBlock(string Document, string Why);

    private readonly List<Refusal> _refusals = [];
    private readonly List<DroppedBlock> _dropped = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    public IReadOnlyList<Refusal> Refusals => _refusals;

    public IReadOnlyList<DroppedBlock> Dropped => _dropped;

    /// <param name="name">the document name (DIR/&lt;name&gt;.json)</param>
    /// <param name="signatures">the .sig beside it, or null when it has none</param>
    public void Check(string name, byte[] document, byte[]? signatures)
    {
        _seen.Add(name);
        var integrity = BuiltDocument.Check(document, out var header);
        if (integrity != DocumentIntegrity.Intact)
        {
            _refusals.Add(new Refusal(name, integrity switch
            {
                DocumentIntegrity.NotBuilt => SignRefusal.NotBuilt,
                DocumentIntegrity.DigestMismatch => SignRefusal.DigestMismatch,
                DocumentIntegrity.NotCanonical => SignRefusal.NotCanonical,
                _ => SignRefusal.Unreadable,
            }));
            return;
        }
        if (signatures is not null)
        {
            CheckSignatures(name, document, signatures);
        }
        if (source is null)
        {
            return;
        }
        if (!source.TryGetValue(name, out var rendered))
        {
            _refusals.Add(new Refusal(name, SignRefusal.NotInSource));
        }
        else if (!BuiltDocument.Holds(document, header!, rendered.Audience, rendered.ContentDigest, rendered.Body))
        {
            _refusals.Add(new Refusal(name, SignRefusal.DiffersFromSource));
        }
        else if (Implausible(header!) is { } why)
        {
            _refusals.Add(new Refusal(name, SignRefusal.ImplausibleMetadata, why));
        }
    }

    /// <summary>After every document was checked: with --source, what the source builds and DIR lacks.</summary>
    public void CheckNothingMissing()
    {
        if (source is null)
        {
            return;
        }
        foreach (string name in source.Keys.Where(n => !_seen.Contains(n)).Order(StringComparer.Ordinal))
        {
            _refusals.Add(new Refusal(name, SignRefusal.MissingFromDirectory));
        }
    }

    /// <summary>
    /// The metadata is the only part of a document --source cannot derive: it must at least be what a build
    /// writes (issued by now, a serial numbered by the build's clock, an approval only for its own serial).
    /// </summary>
    private string? Implausible(PublishedDocument header) =>
        header.IssuedAt > now + ClockSkew ? $"issued_at {SnapshotDocumentWriter.Timestamp(header.IssuedAt.Value)} is in the future"
        : header.Serial > (now + PreviousOutput.MaxSerialLead).ToUnixTimeSeconds() ? $"serial {header.Serial} is more than a year past now"
        : header.RemovalApproval is { } approval && approval.Serial != header.Serial ? $"its removal_approval names serial {approval.Serial}, not its own"
        : header.ExpiresAt <= header.IssuedAt ? "it expires before it is issued"
        : null;

    /// <summary>A second signer's clock may lag the first's by a few minutes.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private void CheckSignatures(string name, byte[] document, byte[] signatures)
    {
        if (allowedSigners is null)
        {
            int blocks = signatures.AsSpan().Count("-----BEGIN SSH SIGNATURE-----"u8);
            _refusals.Add(new Refusal(name, SignRefusal.SignaturesUnchecked, blocks.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return;
        }
        var decision = allowedSigners.Verify(document, signatures, now);
        var bad = decision.Signatures.Where(s => !s.IsValid).Select(s => $"signature {s.Index}: {s.ReasonCode}{(s.Detail is { } d ? $" ({d})" : "")}").ToList();
        if (decision.Signatures.Count == 0)
        {
            bad.Add($"{decision.ReasonCode}{(decision.Detail is { } d ? $" ({d})" : "")}");
        }
        if (dropInvalid)
        {
            _dropped.AddRange(bad.Select(why => new DroppedBlock(name, why)));
        }
        else if (bad.Count > 0)
        {
            _refusals.Add(new Refusal(name, SignRefusal.SignatureInvalid, bad[0]));
        }
    }
}
