namespace KeyAgentd.RegistrySource;

/// <summary>How `registry build` ended; the command maps it to an exit code.</summary>
internal enum BuildOutcome
{
    Built,
    SourceInvalid,
    GuardTripped,
}
