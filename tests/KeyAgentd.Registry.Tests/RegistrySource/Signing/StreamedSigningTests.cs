using KeyAgentd.Core.Planning;
using KeyAgentd.Core.Policy;
using KeyAgentd.RegistrySource;
using KeyAgentd.RegistrySource.Signing;
using KeyAgentd.Testing;

namespace KeyAgentd.Tests.RegistrySource.Signing;

/// <summary>
/// Signing beside rendering changes nothing about what a build publishes when it stops: a build the removal
/// guard stops, or whose signer fails half way, leaves DIR (documents and signatures) as it was and no staging copy.
/// </summary>
[Trait("Category", "Integration")]
public sealed class StreamedSigningTests
{
    private static readonly KeyPolicy Policy = new(null, TimeZoneInfo.Utc);

    [Fact]
    public void A_build_the_guard_stops_publishes_no_document_and_no_signature()
    {
        using var source = SourceFixture.Standard();
        string key = SshKeygen.GeneratePrivate(source.Scratch, "signer");
        using (var signer = (Ed25519FileSigner)SignerFactory.Open(key, null))
        {
            Assert.Equal(BuildOutcome.Built, new RegistryBuilder(new BuildSettings(Policy, SourceFixture.Now)).Build(source.Read(), source.Output, signer).Outcome);
        }
        var before = BuiltOutput.Snapshot(source.Output);
        source.File("groups.yaml", "ops: []\ndev: [carol@example.com]\n");
        using (var signer = (Ed25519FileSigner)SignerFactory.Open(key, null))
        {
            var refused = new RegistryBuilder(new BuildSettings(Policy, SourceFixture.Now.AddHours(1)) { Limits = new RemovalLimits(50, 1) })
                .Build(source.Read(), source.Output, signer);
            Assert.Equal(BuildOutcome.GuardTripped, refused.Outcome);
        }
        Assert.Equal(before, BuiltOutput.Snapshot(source.Output));
        Assert.Empty(Directory.GetDirectories(source.Output));
    }

    [Fact]
    public void A_signer_that_fails_half_way_fails_the_build_and_publishes_nothing()
    {
        using var source = SourceFixture.Standard();
        source.File("hosts.yaml", string.Concat(Enumerable.Range(0, 3 * SshAgentClient.PipelineWindow).Select(i => $"web-{i:D3}: {{ env: {(i % 3 == 0 ? "dev" : "prod")}, role: web }}\n")));
        string key = SshKeygen.GeneratePrivate(source.Scratch, "signer");
        using var agent = new SshAgentProcess(source.Scratch);
        agent.Add(key);
        using var signer = SignerFactory.Open(key + ".pub", agent.Socket) as IDisposable;
        // The key leaves the agent after the build found it there: every request is refused.
        Assert.Equal(0, ProcessRunner.Run("ssh-add", ["-q", "-D"], environment: new Dictionary<string, string> { ["SSH_AUTH_SOCK"] = agent.Socket }).ExitCode);
        var error = Assert.Throws<IOException>(() => new RegistryBuilder(new BuildSettings(Policy, SourceFixture.Now)).Build(source.Read(), source.Output, (IDocumentSigner)signer!));
        Assert.Contains("ssh-agent refused", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(source.Output));
    }
}
