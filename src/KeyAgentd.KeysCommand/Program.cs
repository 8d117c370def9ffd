using System.Text;
using KeyAgentd.KeysCommand;

// A large buffer: a user with thousands of keys is then a few write(2) calls, not thousands.
using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), bufferSize: 64 * 1024) { AutoFlush = false };
using var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
// TimeProvider.System carries the real clock and the host zone (TimeZoneInfo.Local): sshd reads an
// expiry-time without 'Z' in that zone, so the helper must too.
int exitCode = KeysCommandProgram.Run(args, stdout, stderr, Environment.GetEnvironmentVariable, TimeProvider.System);
stdout.Flush();
return exitCode;
