using System.Text;
using KeyAgentd.KeysCommand;

// A large buffer: a user with thousands of keys is then a few write(2) calls, not thousands.
using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), bufferSize: 64 * 1024) { AutoFlush = false };
using var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
int exitCode = KeysCommandProgram.Run(args, stdout, stderr, Environment.GetEnvironmentVariable, TimeProvider.System);
stdout.Flush();
return exitCode;
