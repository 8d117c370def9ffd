using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using Org.BouncyCastle.Asn1.X9;

// Usage: KeyAgentd.Bench.Primitives KEYS_FILE
// The keys of the fingerprint workload, parsed once; then, warm, in one process, the median of 7 runs
// over all of them: the key engine's SHA-256 vs SHA256.HashData over every key blob, and its
// on-curve check vs the library's (OpenSSL through ECDsa.ImportParameters, BouncyCastle's point
// validation) over every ECDSA point. One TSV row per comparison: name, ours ns/key, library ns/key.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: KeyAgentd.Bench.Primitives KEYS_FILE");
    return 2;
}
var blobs = new List<byte[]>();
var points = new List<(EcCurve Curve, byte[] Point)>();
foreach (string text in File.ReadLines(args[0]))
{
    if (AuthorizedKeyLineParser.Parse(text) is not { Key: { } key })
    {
        continue;
    }
    blobs.Add(key.Blob.ToArray());
    if (key.Type.Curve is { } curveName && !key.Type.IsCertificate)
    {
        var fields = Fields(key.Blob);
        points.Add((EcCurve.ByName(curveName)!, fields[2]));
    }
}

// The first SHA256.HashData in a process loads and initialises OpenSSL: what a login helper pays once.
var cold = Stopwatch.StartNew();
SHA256.HashData(blobs[0]);
double firstCallMs = cold.Elapsed.TotalMilliseconds;

byte[] digest = new byte[32];
double shaOurs = NsPerItem(blobs.Count, () => { foreach (var b in blobs) { ManagedSha256.Hash(b, digest); } });
double shaLibrary = NsPerItem(blobs.Count, () => { foreach (var b in blobs) { SHA256.HashData(b, digest); } });
Console.WriteLine(FormattableString.Invariant($"sha256\t{shaOurs:F0}\t{shaLibrary:F0}\t{blobs.Count}\t{firstCallMs:F1}"));

if (points.Count > 0)
{
    var bc = new Dictionary<string, Org.BouncyCastle.Math.EC.ECCurve>
    {
        ["nistp256"] = ECNamedCurveTable.GetByName("P-256").Curve,
        ["nistp384"] = ECNamedCurveTable.GetByName("P-384").Curve,
        ["nistp521"] = ECNamedCurveTable.GetByName("P-521").Curve,
    };
    var dotnet = new Dictionary<string, ECCurve>
    {
        ["nistp256"] = ECCurve.NamedCurves.nistP256,
        ["nistp384"] = ECCurve.NamedCurves.nistP384,
        ["nistp521"] = ECCurve.NamedCurves.nistP521,
    };
    double curveOurs = NsPerItem(points.Count, () => { foreach (var (c, p) in points) { c.ValidatePoint(p); } });
    double curveBc = NsPerItem(points.Count, () =>
    {
        foreach (var (c, p) in points)
        {
            if (!bc[c.Name].DecodePoint(p).IsValid())
            {
                throw new InvalidOperationException("BouncyCastle refused a point the engine accepted");
            }
        }
    });
    // An import costs milliseconds (it checks the whole key): a sample of 300 points, measured once.
    var sample = points.Take(300).ToList();
    double curveOpenSsl = NsPerItem(sample.Count, () =>
    {
        foreach (var (c, p) in sample)
        {
            int n = c.CoordinateLength;
            using var ecdsa = ECDsa.Create(new ECParameters { Curve = dotnet[c.Name], Q = new ECPoint { X = p[1..(1 + n)], Y = p[(1 + n)..] } });
        }
    }, runs: 1);
    Console.WriteLine(FormattableString.Invariant($"ec-point\t{curveOurs:F0}\t{curveBc:F0}\t{points.Count}\t{curveOpenSsl:F0}"));
}
return 0;

static double NsPerItem(int count, Action run, int runs = 7)
{
    run();
    var samples = new double[runs];
    for (int i = 0; i < samples.Length; i++)
    {
        var watch = Stopwatch.StartNew();
        run();
        samples[i] = watch.Elapsed.TotalNanoseconds / count;
    }
    Array.Sort(samples);
    return samples[samples.Length / 2];
}

static List<byte[]> Fields(ReadOnlySpan<byte> blob)
{
    var fields = new List<byte[]>();
    var reader = new SshWireReader(blob);
    while (reader.Remaining > 0)
    {
        fields.Add(reader.ReadString("field", SshPublicKeyDecoder.MaxBlobBytes).ToArray());
    }
    return fields;
}
