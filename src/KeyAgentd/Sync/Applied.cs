using KeyAgentd.Core.Planning;
using KeyAgentd.Homes;

namespace KeyAgentd.Sync;

/// <param name="Written">Files written (authorized_keys, or the cache with helper-only delivery).</param>
/// <param name="Done">Plans that were carried out, in name order.</param>
/// <param name="Failures">Accounts whose write failed; their files are intact.</param>
/// <param name="Replaced">Unsafe authorized_keys entries that were replaced.</param>
/// <param name="StoppedEarly">A stop request came before every plan was started.</param>
internal sealed record Applied(int Written, IReadOnlyList<AccountPlan> Done, IReadOnlyList<AccountFailure> Failures, IReadOnlyList<(string Account, FileRefusal Refusal)> Replaced, bool StoppedEarly)
{
    public static readonly Applied Nothing = new(0, [], [], [], false);
}
