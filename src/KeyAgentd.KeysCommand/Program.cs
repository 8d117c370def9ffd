using System.Text;
using KeyAgentd.KeysCommand;

using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
using var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
int exitCode = KeysCommandProgram.Run(args, stdout, stderr, Environment.GetEnvironmentVariable, TimeProvider.System);
stdout.Flush();
return exitCode;
