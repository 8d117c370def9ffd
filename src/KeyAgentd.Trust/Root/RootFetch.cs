namespace KeyAgentd.Trust.Root;

/// <summary>What asking the registry for root version N gave: the document and its signature, nothing there yet (the normal case), or a transport problem.</summary>
public abstract record RootFetch
{
    private RootFetch()
    {
    }

    public sealed record Found(byte[] Document, byte[] Signature) : RootFetch;

    /// <summary>No such version is published (404, or 304 for a version already known absent): the walk is over.</summary>
    public sealed record NotFound : RootFetch;

    /// <summary>The registry could not answer; the walk stops, the current root stays, the cycle says why.</summary>
    public sealed record Failed(string Code, string Message) : RootFetch;

    public static RootFetch Absent { get; } = new NotFound();
}
