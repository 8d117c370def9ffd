namespace KeyAgentd.Homes;

/// <summary>
/// Carries a refusal out of the deep walk; caught only at the public methods of
/// <see cref="HomeKeyFiles"/>, which turn it into a result (as they do a
/// <see cref="Storage.PosixException"/>, which becomes an io-error refusal).
/// </summary>
internal sealed class FileRefusalException : Exception
{
    public FileRefusalException(FileRefusal refusal)
        : base(refusal.ToString())
    {
        Refusal = refusal;
    }

    public FileRefusal Refusal { get; }
}
