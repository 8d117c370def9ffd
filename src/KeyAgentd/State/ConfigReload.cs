using System.Text.Json.Serialization;

namespace KeyAgentd.State;

/// <summary>
/// The daemon's last configuration reload (SIGHUP, `systemctl reload`), kept in status.json so that
/// `keyagentd status` shows a refused one: the daemon then still runs the configuration it had, and
/// the file on disk is not what runs. Cleared when a daemon starts (it has just loaded the file).
/// </summary>
public sealed class ConfigReload
{
    public const string Applied = "applied";

    public const string Refused = "refused";

    [JsonPropertyName("at")] public DateTimeOffset At { get; set; }

    /// <summary><see cref="Applied"/> or <see cref="Refused"/>.</summary>
    [JsonPropertyName("outcome")] public string Outcome { get; set; } = Applied;

    /// <summary>What changed (applied) or why the file was refused, with its file:line:column.</summary>
    [JsonPropertyName("message")] public string Message { get; set; } = "";

    [JsonIgnore] public bool IsRefused => Outcome == Refused;
}
