using KeyAgentd.Core.Snapshot;
using KeyAgentd.Core.Source;
using KeyAgentd.RegistrySource.Signing;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// The one place `registry build` writes: every document <see cref="BuildPlan"/> decided is staged as it
/// is decided, then <see cref="Publish"/> signs the staged copies, renames them into DIR (each .sig before
/// its document, <see cref="StagingDirectory"/>) and deletes the documents no longer built. Disposed
/// without <see cref="Publish"/>, nothing in DIR changes.
/// </summary>
internal sealed class BuildPublisher : IDisposable
{
    private readonly StagingDirectory _staging;
    private readonly List<string> _written = [];
    private readonly List<string> _signOnly = [];

    private BuildPublisher(StagingDirectory staging) => _staging = staging;

    /// <exception cref="IOException">DIR cannot be created or opened, or another build or sign holds it.</exception>
    public static BuildPublisher Open(string outputDirectory)
    {
        Directory.CreateDirectory(outputDirectory);
        return new BuildPublisher(StagingDirectory.Create(outputDirectory));
    }

    public void Stage(DocumentDecision decision)
    {
        string file = decision.Name + PreviousOutput.Extension;
        if (decision.Header is { } header)
        {
            _staging.Write(file, stream => SnapshotDocumentWriter.Write(stream, header, decision.Target.Body));
            _written.Add(file);
        }
        else if (decision.SignAsIs is { } bytes)
        {
            // What is signed is a copy of the bytes just compared, never the file again (it may have changed since).
            _staging.Write(file, bytes);
            _signOnly.Add(file);
        }
    }

    /// <param name="signer">null: an unsigned build (the signatures of rewritten documents are removed)</param>
    /// <param name="removals">names of documents to delete from DIR, with their signatures</param>
    /// <returns>what signing took: time, documents, their bytes</returns>
    public (TimeSpan Elapsed, int Documents, long Bytes) Publish(IDocumentSigner? signer, IReadOnlyList<string> removals)
    {
        var signing = (TimeSpan.Zero, 0, 0L);
        if (signer is not null)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var paths = _written.Concat(_signOnly).Select(f => Path.Combine(_staging.Path, f)).ToList();
            var blocks = signer.Sign(paths);
            for (int i = 0; i < paths.Count; i++)
            {
                byte[] block = System.Text.Encoding.ASCII.GetBytes(blocks[i]);
                _staging.Write(Path.GetFileName(paths[i]) + ".sig", stream => stream.Write(block));
            }
            signing = (clock.Elapsed, paths.Count, paths.Sum(p => new FileInfo(p).Length));
        }
        _staging.Publish(_written, signed: signer is not null, removals.Select(n => n + PreviousOutput.Extension).ToList(), _signOnly);
        return signing;
    }

    public void Dispose() => _staging.Dispose();
}
