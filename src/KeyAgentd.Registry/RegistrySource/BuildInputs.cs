using KeyAgentd.Core.Source;
using KeyAgentd.RegistrySource.Signing;

namespace KeyAgentd.RegistrySource;

/// <summary>
/// The edge where `registry build` reads what exists: the output directory's previous build and the
/// published tree of --diff-against (DIR itself without it), each through <see cref="PreviousOutput"/>.
/// A document's bytes are read when <see cref="BuildPlan"/> decides it, one at a time.
/// </summary>
internal sealed class BuildInputs
{
    private readonly PreviousOutput _output;
    private readonly PreviousOutput _published;

    private BuildInputs(PreviousOutput output, PreviousOutput published)
    {
        _output = output;
        _published = published;
    }

    /// <summary>The headers of the output directory's documents, by name.</summary>
    public IReadOnlyDictionary<string, PublishedDocument> InOutput => _output.Documents;

    /// <summary>The highest serial in the output directory and the published tree: a build's serial is past it.</summary>
    public long HighestSerial => Math.Max(_output.MaxSerial, _published.MaxSerial);

    /// <exception cref="IOException">--out or --diff-against cannot be read (<see cref="PreviousOutput.Read"/>).</exception>
    /// <exception cref="UnauthorizedAccessException">A directory or a document in it cannot be read.</exception>
    public static BuildInputs Read(string outputDirectory, BuildSettings settings)
    {
        var output = PreviousOutput.Read(outputDirectory, settings.Now, required: false);
        var published = settings.Baseline is { } b ? PreviousOutput.Read(b, settings.Now, required: true) : output;
        return new BuildInputs(output, published);
    }

    /// <exception cref="IOException"><see cref="DocumentFile"/> refuses a copy.</exception>
    /// <param name="signer">the build's signer: a document counts as signed only when its .sig verifies (<see cref="SignatureFile.Vouches"/>); null when the build does not sign</param>
    public CurrentDocument Current(string name, IDocumentSigner? signer)
    {
        var inOutput = Copy(_output, name);
        var published = ReferenceEquals(_published, _output) ? inOutput : Copy(_published, name);
        bool signed = signer is not null && inOutput.Bytes is { } bytes
            && SignatureFile.Vouches(DocumentFile.TryRead(_output.PathOf(name) + ".sig", DocumentFile.MaxDocumentBytes), bytes, signer.PublicKey);
        return new CurrentDocument(inOutput, published, signed);
    }

    private static DocumentCopy Copy(PreviousOutput directory, string name) =>
        new(directory.TryRead(name), directory.Documents.GetValueOrDefault(name), directory.PathOf(name));
}
