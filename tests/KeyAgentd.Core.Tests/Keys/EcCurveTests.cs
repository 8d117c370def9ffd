using System.Numerics;
using KeyAgentd.Core.AuthorizedKeys;
using KeyAgentd.Core.Keys;
using KeyAgentd.Core.Policy;

namespace KeyAgentd.Core.Tests.Keys;

/// <summary>
/// The fixed-limb on-curve check against ssh-keygen and against plain BigInteger arithmetic, on
/// real points of every curve, their negations (y' = p − y, near the top of the field) and
/// neighbours that are off the curve.
/// </summary>
public class EcCurveTests
{
    public static TheoryData<int> Curves => new() { 256, 384, 521 };

    [Theory]
    [MemberData(nameof(Curves))]
    public void Real_points_and_their_negations_are_on_the_curve(int bits)
    {
        var (curve, point) = RealPoint(bits);
        curve.ValidatePoint(point);
        byte[] negated = WithY(point, curve, P(bits) - Y(point, curve));
        Assert.True(ReferenceOnCurve(bits, negated, curve));
        curve.ValidatePoint(negated);
        Assert.True(SshKeygen.Accepts(Line(bits, negated)));
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void Points_next_to_real_ones_are_off_the_curve_as_ssh_keygen_says(int bits)
    {
        var (curve, point) = RealPoint(bits);
        foreach (int delta in new[] { 1, -1, 2 })
        {
            byte[] moved = WithY(point, curve, Y(point, curve) + delta);
            Assert.False(ReferenceOnCurve(bits, moved, curve));
            var parsed = AuthorizedKeyLineParser.Parse(Line(bits, moved));
            Assert.Equal(ReasonCode.InvalidKey, parsed.Error);
            Assert.False(SshKeygen.Accepts(Line(bits, moved)));
        }
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void A_coordinate_equal_to_the_field_prime_is_outside_the_field(int bits)
    {
        var (curve, point) = RealPoint(bits);
        var parsed = AuthorizedKeyLineParser.Parse(Line(bits, WithY(point, curve, P(bits))));
        Assert.Equal(ReasonCode.InvalidKey, parsed.Error);
        Assert.Contains("outside the field", parsed.ErrorMessage);
    }

    private static (EcCurve Curve, byte[] Point) RealPoint(int bits)
    {
        string line = SshKeygen.Generate("ecdsa", bits);
        byte[] point = WireBuilder.Fields(Convert.FromBase64String(line.Split(' ')[1]))[2];
        return (EcCurve.ByName($"nistp{bits}")!, point);
    }

    private static string Line(int bits, byte[] point) =>
        $"ecdsa-sha2-nistp{bits} " + new WireBuilder().String($"ecdsa-sha2-nistp{bits}").String($"nistp{bits}").String(point).ToBase64();

    private static BigInteger P(int bits) => bits switch
    {
        256 => BigInteger.Parse("0FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF", System.Globalization.NumberStyles.HexNumber),
        384 => BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF", System.Globalization.NumberStyles.HexNumber),
        _ => (BigInteger.One << 521) - 1,
    };

    private static BigInteger B(EcCurve curve, byte[] point, int bits)
    {
        // b = y² − x³ + 3x for any real point.
        BigInteger p = P(bits), x = X(point, curve), y = Y(point, curve);
        return ((y * y - x * x * x + 3 * x) % p + p) % p;
    }

    private static bool ReferenceOnCurve(int bits, byte[] point, EcCurve curve)
    {
        var (_, real) = RealPoint(bits);
        BigInteger p = P(bits), x = X(point, curve), y = Y(point, curve);
        return (y * y - (x * x * x - 3 * x + B(curve, real, bits))) % p == 0;
    }

    private static BigInteger X(byte[] point, EcCurve curve) => new(point.AsSpan(1, curve.CoordinateLength), isUnsigned: true, isBigEndian: true);

    private static BigInteger Y(byte[] point, EcCurve curve) => new(point.AsSpan(1 + curve.CoordinateLength), isUnsigned: true, isBigEndian: true);

    private static byte[] WithY(byte[] point, EcCurve curve, BigInteger y)
    {
        byte[] result = (byte[])point.Clone();
        byte[] bytes = y.ToByteArray(isUnsigned: true, isBigEndian: true);
        Array.Clear(result, 1 + curve.CoordinateLength, curve.CoordinateLength);
        bytes.CopyTo(result, result.Length - bytes.Length);
        return result;
    }
}
