using KeyAgentd.Core.Planning;
using KeyAgentd.Homes;

namespace KeyAgentd.Sync;

/// <param name="Plans">One plan per account that could be read and planned.</param>
/// <param name="Failures">Accounts that could not be (unsafe home, I/O error, damaged block).</param>
/// <param name="UnsafeFiles">Exclusive-mode accounts whose authorized_keys entry is to be replaced unread (a link, a FIFO…).</param>
internal sealed record PlannedAccounts(IReadOnlyList<AccountPlan> Plans, IReadOnlyList<AccountFailure> Failures, IReadOnlyDictionary<string, FileRefusal> UnsafeFiles);
