using System.Globalization;
using System.Numerics;

namespace KeyAgentd.Core.Keys;

/// <summary>
/// The NIST prime curves sshd accepts, with the public-point validation OpenSSH applies
/// (sshkey_ec_validate_public): uncompressed form, coordinates in the field, on the curve,
/// and neither coordinate suspiciously small. All three curves have cofactor 1, so a point
/// on the curve is in the prime-order group and OpenSSH's order·Q = ∞ check adds nothing.
/// </summary>
internal sealed class EcCurve
{
    private readonly FieldArithmetic _field;

    /// <summary>The curve's field, for the differential tests against the library's curve arithmetic.</summary>
    internal FieldArithmetic Field => _field;
    private readonly int _orderBits;

    private EcCurve(string name, int bits, string p, string b, string order)
    {
        Name = name;
        Bits = bits;
        CoordinateLength = (bits + 7) / 8;
        _field = new FieldArithmetic(Hex(p), Hex(b));
        _orderBits = (int)Hex(order).GetBitLength();
    }

    public string Name { get; }

    public int Bits { get; }

    public int CoordinateLength { get; }

    public static readonly EcCurve P256 = new("nistp256", 256,
        "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF",
        "5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B",
        "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

    public static readonly EcCurve P384 = new("nistp384", 384,
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF",
        "B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF",
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973");

    public static readonly EcCurve P521 = new("nistp521", 521,
        "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
        "0051953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF109E156193951EC7E937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B503F00",
        "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409");

    public static EcCurve? ByName(string name) => name switch
    {
        "nistp256" => P256,
        "nistp384" => P384,
        "nistp521" => P521,
        _ => null,
    };

    public void ValidatePoint(ReadOnlySpan<byte> point)
    {
        if (point.Length != 1 + 2 * CoordinateLength)
        {
            ThrowHelper.Invalid($"{Name} public point is {point.Length} bytes, expected {1 + 2 * CoordinateLength}");
        }
        if (point[0] != 0x04)
        {
            ThrowHelper.Invalid($"{Name} public point is not in uncompressed form");
        }
        ReadOnlySpan<byte> xBytes = point.Slice(1, CoordinateLength);
        ReadOnlySpan<byte> yBytes = point.Slice(1 + CoordinateLength, CoordinateLength);
        Span<ulong> x = stackalloc ulong[_field.Limbs];
        Span<ulong> y = stackalloc ulong[_field.Limbs];
        FieldArithmetic.FromBigEndian(xBytes, x);
        FieldArithmetic.FromBigEndian(yBytes, y);
        if (!_field.IsReduced(x) || !_field.IsReduced(y))
        {
            ThrowHelper.Invalid($"{Name} public point has a coordinate outside the field");
        }
        if (SshWireReader.BitLength(xBytes) <= _orderBits / 2 || SshWireReader.BitLength(yBytes) <= _orderBits / 2)
        {
            ThrowHelper.Invalid($"{Name} public point has a coordinate too small to be a real key");
        }
        if (!_field.IsOnCurve(x, y))
        {
            ThrowHelper.Invalid($"{Name} public point is not on the curve");
        }
    }

    private static BigInteger Hex(string hex) => BigInteger.Parse("0" + hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
