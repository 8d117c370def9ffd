using System.Text;
using KeyAgentd.State;
using KeyAgentd.Storage;

namespace KeyAgentd.Metrics;

/// <summary>Writes the textfile atomically: node_exporter must never read half a file.</summary>
public static class MetricsWriter
{
    public static void Write(string path, SyncStatus status, DateTimeOffset now) =>
        DurableFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(MetricsTextfile.Render(status, now)), Posix.Mode0644);
}
