using KeyAgentd.Core.Source;

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
    public CurrentDocument Current(string name)
    {
        var inOutput = Copy(_output, name);
        var published = ReferenceEquals(_published, _output) ? inOutput : Copy(_published, name);
        return new CurrentDocument(inOutput, published, Path.Exists(_output.PathOf(name) + ".sig"));
    }

    private static DocumentCopy Copy(PreviousOutput directory, string name) =>
        new(directory.TryRead(name), directory.Documents.GetValueOrDefault(name), directory.PathOf(name));
}
