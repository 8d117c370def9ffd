using System.CommandLine;
using KeyAgentd.Cli;

// SIGTERM/SIGINT cancel the command's token; System.CommandLine's default then gives the command
// 2 s before it returns 143/130 and the process ends. `keyagentd run` stops after the accounts
// being written are finished (the host allows 10 s), which under `systemctl stop` during a large
// cycle measured past 2 s: the daemon was cut off and systemd recorded exit 143, Result=exit-code.
// 30 s covers the host's own shutdown timeout and stays inside the unit's TimeoutStopSec (90 s).
return KeyAgentdCli.Build().Parse(args).Invoke(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
