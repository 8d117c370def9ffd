using KeyAgentd.Cli;

return RegistryToolCli.Build().Parse(args).Invoke();
