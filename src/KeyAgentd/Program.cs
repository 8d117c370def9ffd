using KeyAgentd.Cli;

return KeyAgentdCli.Build().Parse(args).Invoke();
