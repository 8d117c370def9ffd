using System.Diagnostics;
using System.Globalization;
using KeyAgentd.Core.Snapshot;
using KeyAgentd.Trust.Policy;

// Usage: VerifyCost SNAPSHOT SIGNATURE ALLOWED_SIGNERS [ITERATIONS]
// Prints the median milliseconds of RegistryTrust.Verify (hash the bytes, check every signature
// against the trust roots) and, for scale, of parsing the same snapshot; each warm, in one process.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: VerifyCost SNAPSHOT SIGNATURE ALLOWED_SIGNERS [ITERATIONS]");
    return 2;
}
byte[] snapshot = File.ReadAllBytes(args[0]);
byte[] signature = File.ReadAllBytes(args[1]);
var trust = RegistryTrust.Parse(File.ReadAllText(args[2]), null, TimeZoneInfo.Utc, new SignaturePolicyOptions());
int iterations = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 50;
var now = DateTimeOffset.UtcNow;

var decision = trust.Verify(snapshot, signature, now);
if (!decision.IsAccepted)
{
    Console.Error.WriteLine($"not accepted: {decision.ReasonCode}: {decision.Detail}");
    return 1;
}
double verify = Median(iterations, () => trust.Verify(snapshot, signature, now));
double parse = Median(Math.Max(5, iterations / 5), () =>
{
    if (!RegistrySnapshotParser.TryParse(snapshot, out _, out var error))
    {
        throw new InvalidDataException(error.ToString());
    }
});
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{verify:0.000}\t{parse:0.000}"));
return 0;

static double Median(int iterations, Action action)
{
    for (int i = 0; i < 3; i++)
    {
        action();
    }
    var samples = new double[iterations];
    for (int i = 0; i < iterations; i++)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
    Array.Sort(samples);
    return samples[iterations / 2];
}
