namespace KeyAgentd.Core.Source;

/// <summary>One people/&lt;name&gt;.keys file: the person's name is the file's name without ".keys".</summary>
public sealed record SourcePerson(string Name, IReadOnlyList<SourceKey> Keys, SourceLocation Location)
{
    /// <summary>
    /// The person attribute <c># principal=NAME</c> in their .keys file: the certificate principal a rule
    /// with <c>cas</c> admits for them. Null means their person name.
    /// </summary>
    public string? Principal { get; init; }

    /// <summary>What a certificate rule naming this person admits: <see cref="Principal"/>, or the person name.</summary>
    public string CertificatePrincipal => Principal ?? Name;
}
