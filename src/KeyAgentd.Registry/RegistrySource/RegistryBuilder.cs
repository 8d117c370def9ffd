using System.Diagnostics;
using KeyAgentd.Core.Source;
using KeyAgentd.RegistrySource.Signing;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// `registry build`: compiles a source tree into DIR/&lt;host&gt;.json. A document is left alone (same
/// bytes, same file, so ETags hold) only when its bytes are exactly what the source renders now under
/// its own header's metadata, that metadata is one a build could have written, and it is not near
/// expiry; nothing else in DIR is believed (README "Security"). The others get one new serial (the
/// build time in Unix seconds, or one past the highest serial in DIR and the published tree if that is
/// higher, so no host ever sees a serial go back, even for a host that left the inventory and came back).
/// Everything is staged first; nothing in DIR changes when the source is invalid or the guard trips.
/// Plan then apply: <see cref="BuildInputs"/> reads, <see cref="BuildPlan"/> decides (pure),
/// <see cref="BuildPublisher"/> stages, signs and renames.
/// </summary>
internal sealed class RegistryBuilder(BuildSettings settings)
{
    public const string DefaultDocumentName = RenderedDocument.DefaultDocumentName;

    /// <exception cref="IOException">--out or --diff-against cannot be read (<see cref="PreviousOutput.Read"/>), or another build holds DIR.</exception>
    public BuildResult Build(SourceTree tree, string outputDirectory, IDocumentSigner? signer)
    {
        var clock = Stopwatch.StartNew();
        var compiler = new SourceCompiler(tree, settings.Policy, settings.Now);
        compiler.CheckDocuments(settings.DefaultDocument);
        if (compiler.HasErrors)
        {
            return new BuildResult(BuildOutcome.SourceInvalid, compiler.Problems);
        }
        var compiled = clock.Elapsed;
        var inputs = BuildInputs.Read(outputDirectory, settings);
        var plan = new BuildPlan(settings, inputs.HighestSerial, signing: signer is not null);
        using var publisher = BuildPublisher.Open(outputDirectory, signer);
        foreach (var (target, current) in Judged(RenderedDocument.All(compiler, settings.DefaultDocument), inputs, plan, signer))
        {
            publisher.Stage(plan.Decide(target, current));
            if (plan.Stops)
            {
                publisher.StopSigning();
            }
        }
        var staged = clock.Elapsed;
        if (plan.Stops)
        {
            return new BuildResult(BuildOutcome.GuardTripped, compiler.Problems) { Serial = plan.Serial, Guarded = plan.Guarded };
        }
        var removals = plan.Removals(inputs.InOutput);
        var signing = publisher.Publish(removals);
        return new BuildResult(BuildOutcome.Built, compiler.Problems)
        {
            Serial = plan.Serial,
            New = plan.New,
            Changed = plan.Changed,
            Reissued = plan.Reissued,
            Unchanged = plan.Unchanged,
            Deleted = removals,
            Guarded = plan.Guarded,
            Signer = signer?.Describe(),
            Timings = new BuildTimings(compiled, staged - compiled, signing.Elapsed, clock.Elapsed - staged - signing.Elapsed, signing.Documents, signing.Bytes),
        };
    }

    /// <summary>Targets judged at once: enough to keep every core busy, few enough that their copies (~100 KB each) stay small.</summary>
    private const int JudgedAtOnce = 64;

    /// <summary>
    /// Each target with what the directories hold for it, read and compared byte for byte on all cores
    /// (reading back and comparing every kept document is most of a build that changes little), the
    /// guard's comparison of a changed one with its published copy made there too (most of a change everywhere), handed
    /// on in the source's order, a batch at a time, so the plan still decides one document at a time and
    /// at most one batch of copies is held (PLINQ's ordered merge ran ahead: 678 MiB peak at 10,000 hosts).
    /// </summary>
    private static IEnumerable<(RenderedDocument Target, CurrentDocument Current)> Judged(IEnumerable<RenderedDocument> targets, BuildInputs inputs, BuildPlan plan, IDocumentSigner? signer)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        foreach (var batch in targets.Chunk(JudgedAtOnce))
        {
            var judged = new (RenderedDocument, CurrentDocument)[batch.Length];
            Parallel.For(0, batch.Length, options, i =>
            {
                var current = inputs.Current(batch[i].Name, signer);
                current.InOutput.Holds(batch[i]);
                current.Published.Holds(batch[i]);
                current.Guard = plan.PrepareGuard(batch[i], current);
                judged[i] = (batch[i], current);
            });
            foreach (var pair in judged)
            {
                yield return pair;
            }
        }
    }
}
