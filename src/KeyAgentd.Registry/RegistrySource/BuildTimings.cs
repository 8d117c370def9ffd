namespace KeyAgentd.RegistrySource;

/// <summary>
/// Where one build's time went, stage by stage (`build --timings`, bench/registry-build.sh): compiling
/// the source, rendering and judging every document against the directories and staging those that
/// move, signing them, and publishing (one sync, the renames); with how many documents and bytes were signed.
/// A signer of hashes (ssh-agent, an in-process key) signs beside the rendering: <see cref="Sign"/> is then
/// only what was left after the last document was staged.
/// </summary>
internal sealed record BuildTimings(TimeSpan Compile, TimeSpan RenderAndStage, TimeSpan Sign, TimeSpan Publish, int SignedDocuments, long SignedBytes);
