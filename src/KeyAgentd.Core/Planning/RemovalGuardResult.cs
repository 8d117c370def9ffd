namespace KeyAgentd.Core.Planning;

/// <summary>The mass-removal check of one sync cycle (`Safety:MaxRemovalPercent`).</summary>
public sealed record RemovalGuardResult(bool Tripped, int Removed, int Total, double Percent, string Message);
