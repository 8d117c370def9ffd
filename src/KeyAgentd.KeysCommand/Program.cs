using System.Text;
using KeyAgentd.KeysCommand;

// A large buffer: a user with thousands of keys is then a few write(2) calls, not thousands.
// Key lines are written as the bytes read from the cache, so stdout is a Stream, not a TextWriter.
using var stdout = new BufferedStream(Console.OpenStandardOutput(), bufferSize: 64 * 1024);
using var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
// TimeProvider.System carries the real clock and the host zone (TimeZoneInfo.Local): sshd reads an
// expiry-time without 'Z' in that zone, so the helper must too.
int exitCode = KeysCommandProgram.Run(args, stdout, stderr, Environment.GetEnvironmentVariable, TimeProvider.System);
stdout.Flush();
return exitCode;
