using System.Collections.Concurrent;

namespace KeyAgentd.RegistrySource.Signing;

/// <summary>
/// Signing beside rendering: a build hands each staged document's SHA-512 to <see cref="Add"/> as it
/// writes it, and one background thread feeds them to the signer (the agent works on one while the next
/// is rendered). <see cref="Complete"/> waits for every block, in the order added, and rethrows the
/// signer's error; <see cref="Stop"/> (the removal guard stops the build) sends nothing more; disposed
/// without <see cref="Complete"/>, the thread is stopped and its signatures dropped with the staging copy.
/// </summary>
internal sealed class StreamedSigning : IDisposable
{
    private readonly BlockingCollection<byte[]> _hashes = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<IReadOnlyList<string>> _signing;

    public StreamedSigning(IHashSigner signer) =>
        _signing = Task.Factory.StartNew(() => signer.SignHashes(_hashes.GetConsumingEnumerable(_stop.Token)),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public void Add(byte[] sha512)
    {
        if (!_stop.IsCancellationRequested)
        {
            _hashes.Add(sha512);
        }
    }

    /// <summary>Nothing more is sent to the signer: the build will not publish.</summary>
    public void Stop() => _stop.Cancel();

    /// <exception cref="IOException">The signer failed (the agent refused, the connection closed).</exception>
    public IReadOnlyList<string> Complete()
    {
        _hashes.CompleteAdding();
        return _signing.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        _stop.Cancel();
        if (!_hashes.IsAddingCompleted)
        {
            _hashes.CompleteAdding();
        }
        try
        {
            _signing.Wait();
        }
        catch (AggregateException)
        {
            // Stopped or failed: nothing signed here is published.
        }
        _hashes.Dispose();
        _stop.Dispose();
    }
}
