using KeyAgentd.Core.Snapshot;
using KeyAgentd.Core.Source;
using KeyAgentd.RegistrySource.Signing;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// The one place `registry build` writes: every document <see cref="BuildPlan"/> decided is staged as it
/// is decided, then <see cref="Publish"/> signs the staged copies, renames them into DIR (each .sig before
/// its document, <see cref="StagingDirectory"/>) and deletes the documents no longer built. With a signer
/// that signs hashes (ssh-agent, an in-process key: <see cref="IHashSigner"/>), each document is hashed as
/// it is staged and signed beside the rendering of the next (<see cref="StreamedSigning"/>); ssh-keygen
/// signs the staged files at <see cref="Publish"/>. Disposed without <see cref="Publish"/>, nothing in DIR changes.
/// </summary>
internal sealed class BuildPublisher : IDisposable
{
    private readonly StagingDirectory _staging;
    private readonly IDocumentSigner? _signer;
    private readonly StreamedSigning? _streamed;
    private readonly List<string> _written = [];
    private readonly List<string> _signOnly = [];
    /// <summary>Every staged file to sign, in the order its hash went to <see cref="_streamed"/>.</summary>
    private readonly List<string> _toSign = [];
    private long _bytesToSign;

    private BuildPublisher(StagingDirectory staging, IDocumentSigner? signer)
    {
        _staging = staging;
        _signer = signer;
        _streamed = signer is IHashSigner hashes ? new StreamedSigning(hashes) : null;
    }

    /// <param name="signer">null: an unsigned build (the signatures of rewritten documents are removed)</param>
    /// <exception cref="IOException">DIR cannot be created or opened, or another build or sign holds it.</exception>
    public static BuildPublisher Open(string outputDirectory, IDocumentSigner? signer)
    {
        Directory.CreateDirectory(outputDirectory);
        return new BuildPublisher(StagingDirectory.Create(outputDirectory), signer);
    }

    public void Stage(DocumentDecision decision)
    {
        string file = decision.Name + PreviousOutput.Extension;
        if (decision.Header is { } header)
        {
            Write(file, stream => SnapshotDocumentWriter.Write(stream, header, decision.Target.Body));
            _written.Add(file);
        }
        else if (decision.SignAsIs is { } bytes)
        {
            // What is signed is a copy of the bytes just compared, never the file again (it may have changed since).
            Write(file, stream => stream.Write(bytes));
            _signOnly.Add(file);
        }
    }

    /// <summary>The build will not publish (the removal guard stops it): nothing more goes to the signer.</summary>
    public void StopSigning() => _streamed?.Stop();

    private void Write(string file, Action<Stream> content)
    {
        if (_signer is null)
        {
            _staging.Write(file, content);
            return;
        }
        byte[]? sha512 = null;
        _staging.Write(file, stream =>
        {
            using var hashing = new HashingWriteStream(stream);
            content(hashing);
            sha512 = hashing.Sha512();
            _bytesToSign += hashing.Written;
        });
        _toSign.Add(file);
        _streamed?.Add(sha512!);
    }

    /// <param name="removals">names of documents to delete from DIR, with their signatures</param>
    /// <returns>what signing took after the last document was staged (all of it for ssh-keygen): time, documents, their bytes</returns>
    public (TimeSpan Elapsed, int Documents, long Bytes) Publish(IReadOnlyList<string> removals)
    {
        var signing = (TimeSpan.Zero, 0, 0L);
        if (_signer is not null)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var blocks = _streamed is not null ? _streamed.Complete() : _signer.Sign(_toSign.Select(f => Path.Combine(_staging.Path, f)).ToList());
            for (int i = 0; i < _toSign.Count; i++)
            {
                byte[] block = System.Text.Encoding.ASCII.GetBytes(blocks[i]);
                _staging.Write(_toSign[i] + ".sig", stream => stream.Write(block));
            }
            signing = (clock.Elapsed, _toSign.Count, _bytesToSign);
        }
        _staging.Publish(_written, signed: _signer is not null, removals.Select(n => n + PreviousOutput.Extension).ToList(), _signOnly);
        return signing;
    }

    public void Dispose()
    {
        _streamed?.Dispose();
        _staging.Dispose();
    }
}
