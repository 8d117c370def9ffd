using KeyAgentd.Cli;

return await RegistryToolCli.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
