namespace KeyAgentd.Tests.Support;

/// <summary>Tests that change the process environment run alone: nothing else reads it meanwhile.</summary>
[CollectionDefinition(SettingsEnvironment.Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentDefinition;
