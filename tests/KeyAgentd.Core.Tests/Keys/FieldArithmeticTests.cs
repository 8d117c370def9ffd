using System.Numerics;
using KeyAgentd.Core.Keys;
using Org.BouncyCastle.Asn1.X9;
using BcCurve = Org.BouncyCastle.Math.EC.ECCurve;
using BcInteger = Org.BouncyCastle.Math.BigInteger;
using BcPoint = Org.BouncyCastle.Math.EC.ECPoint;

namespace KeyAgentd.Core.Tests.Keys;

/// <summary>
/// The fixed-limb field check (coordinates reduced, y² = x³ − 3x + b) against BouncyCastle's curve
/// arithmetic on a million points over the three curves: real points (a chain of additions of the
/// generator, so each is on the curve), their negations, neighbours one step off in x or y, single
/// bit flips, random coordinates, and the field's edges (0, 1, p − 1, p, p + 1, all ones).
/// </summary>
public class FieldArithmeticTests
{
    private const int PointsPerCurve = 333_334;

    [Theory]
    [InlineData("nistp256", "P-256")]
    [InlineData("nistp384", "P-384")]
    [InlineData("nistp521", "P-521")]
    public void Agrees_with_bouncycastle_on_a_third_of_a_million_points(string name, string bcName)
    {
        var curve = EcCurve.ByName(name)!;
        var parameters = ECNamedCurveTable.GetByName(bcName);
        BigInteger p = Unsigned(parameters.Curve.Field.Characteristic.ToByteArrayUnsigned());
        int length = curve.CoordinateLength;
        var onCurve = RealPoints(parameters, PointsPerCurve / 8);
        var random = new Random(name.Length * 7919);
        var edges = new[] { BigInteger.Zero, BigInteger.One, p - 1, p, p + 1, (BigInteger.One << (8 * length)) - 1 };
        var candidates = new List<(BigInteger X, BigInteger Y)>(PointsPerCurve);
        foreach (var (x, y) in onCurve)
        {
            candidates.Add((x, y));
            candidates.Add((x, p - y));
            candidates.Add((x, y + 1));
            candidates.Add((x + 1, y));
            candidates.Add((x ^ (BigInteger.One << random.Next(8 * length)), y));
            candidates.Add((x, y ^ (BigInteger.One << random.Next(8 * length))));
            candidates.Add((edges[random.Next(edges.Length)], y));
        }
        while (candidates.Count < PointsPerCurve)
        {
            var x = RandomCoordinate(random, length);
            candidates.Add((x, random.Next(4) == 0 ? edges[random.Next(edges.Length)] : RandomCoordinate(random, length)));
        }

        int mismatches = 0, accepted = 0;
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, candidates.Count), range =>
        {
            Span<ulong> x = stackalloc ulong[curve.Field.Limbs];
            Span<ulong> y = stackalloc ulong[curve.Field.Limbs];
            Span<byte> bytes = stackalloc byte[length];
            for (int i = range.Item1; i < range.Item2; i++)
            {
                var (cx, cy) = candidates[i];
                FieldArithmetic.FromBigEndian(BigEndian(cx, bytes), x);
                FieldArithmetic.FromBigEndian(BigEndian(cy, bytes), y);
                bool ours = curve.Field.IsReduced(x) && curve.Field.IsReduced(y) && curve.Field.IsOnCurve(x, y);
                bool library = cx < p && cy < p && parameters.Curve.CreatePoint(Bc(cx), Bc(cy)).IsValid();
                if (ours != library)
                {
                    Interlocked.Increment(ref mismatches);
                }
                if (ours)
                {
                    Interlocked.Increment(ref accepted);
                }
            }
        });

        Assert.Equal(0, mismatches);
        // The real points and their negations, and nothing else: an off-by-one neighbour or a flipped bit is never on the curve.
        Assert.Equal(2 * onCurve.Count, accepted);
    }

    /// <summary>G, 2G, 3G, … by repeated addition: on the curve by construction, normalised to affine in one batch.</summary>
    private static List<(BigInteger X, BigInteger Y)> RealPoints(X9ECParameters parameters, int count)
    {
        var points = new BcPoint[count];
        BcPoint g = parameters.G, current = g;
        for (int i = 0; i < count; i++)
        {
            points[i] = current;
            current = current.Add(g);
        }
        parameters.Curve.NormalizeAll(points);
        return points.Select(q => (Unsigned(q.AffineXCoord.ToBigInteger().ToByteArrayUnsigned()),
            Unsigned(q.AffineYCoord.ToBigInteger().ToByteArrayUnsigned()))).ToList();
    }

    private static BigInteger RandomCoordinate(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return Unsigned(bytes);
    }

    private static BigInteger Unsigned(byte[] bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    private static BcInteger Bc(BigInteger value) => new(1, value.ToByteArray(isUnsigned: true, isBigEndian: true));

    /// <summary>The value as exactly <paramref name="buffer"/>.Length big-endian bytes, truncated to its low bytes if wider.</summary>
    private static ReadOnlySpan<byte> BigEndian(BigInteger value, Span<byte> buffer)
    {
        buffer.Clear();
        byte[] bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        ReadOnlySpan<byte> low = bytes.Length > buffer.Length ? bytes.AsSpan(bytes.Length - buffer.Length) : bytes;
        low.CopyTo(buffer[(buffer.Length - low.Length)..]);
        return buffer;
    }
}
