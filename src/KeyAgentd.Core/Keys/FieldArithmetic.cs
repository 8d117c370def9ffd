using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KeyAgentd.Core.Keys;

/// <summary>
/// y² = x³ − 3x + b over a prime field, on fixed-size 64-bit limbs with Montgomery multiplication
/// (CIOS). BigInteger.ModPow took most of an ECDSA line's time (allocations and a general
/// exponentiation for a square); this is five multiplications on the stack. Public keys only, so
/// nothing here needs to be constant-time. BigInteger is used once per curve, for the constants.
/// Against the library calls on the ECDSA points of a 100,000-key workload (bench/primitives.sh): as
/// fast as BouncyCastle's point validation or up to 1.8× faster, 157–470× faster than an OpenSSL ECDsa
/// import (docs/benchmarks.md); the
/// tests check it against BouncyCastle on a million real, negated, perturbed, random and edge points.
/// </summary>
internal sealed class FieldArithmetic
{
    private readonly ulong[] _p;
    private readonly ulong _n0;
    private readonly ulong[] _one;
    private readonly ulong[] _threeOverR;
    private readonly ulong[] _bOverR2;

    public FieldArithmetic(BigInteger p, BigInteger b)
    {
        Limbs = (int)((p.GetBitLength() + 63) / 64);
        _p = ToLimbs(p, Limbs);
        // −p⁻¹ mod 2⁶⁴ by Newton's iteration: each step doubles the correct low bits (p is odd).
        ulong inverse = 1;
        for (int i = 0; i < 6; i++)
        {
            inverse *= 2 - _p[0] * inverse;
        }
        _n0 = 0 - inverse;
        BigInteger rInverse = BigInteger.ModPow(BigInteger.One << (64 * Limbs), p - 2, p);
        _one = ToLimbs(BigInteger.One, Limbs);
        _threeOverR = ToLimbs(3 * rInverse % p, Limbs);
        _bOverR2 = ToLimbs(b * rInverse % p * rInverse % p, Limbs);
    }

    public int Limbs { get; }

    /// <summary>Big-endian bytes (at most 8·limbs of them) into little-endian limbs.</summary>
    public static void FromBigEndian(ReadOnlySpan<byte> bytes, Span<ulong> limbs)
    {
        limbs.Clear();
        for (int i = 0; i < bytes.Length; i++)
        {
            int bit = 8 * (bytes.Length - 1 - i);
            limbs[bit / 64] |= (ulong)bytes[i] << (bit % 64);
        }
    }

    public bool IsReduced(ReadOnlySpan<ulong> a) => Compare(a, _p) < 0;

    /// <summary>
    /// Montgomery products carry a factor R⁻¹ each, so both sides are brought to R⁻²:
    /// y²·R⁻² = Mont(Mont(y, y), 1) and x³·R⁻² − 3x·R⁻² + b·R⁻² with the constants precomputed.
    /// Both coordinates must already be reduced.
    /// </summary>
    public bool IsOnCurve(ReadOnlySpan<ulong> x, ReadOnlySpan<ulong> y)
    {
        int n = Limbs;
        Span<ulong> scratch = stackalloc ulong[5 * n];
        Span<ulong> t = scratch[..n];
        Span<ulong> left = scratch.Slice(n, n);
        Span<ulong> right = scratch.Slice(2 * n, n);
        Span<ulong> threeX = scratch.Slice(3 * n, n);
        Span<ulong> work = scratch.Slice(4 * n, n);

        MontgomeryMultiply(y, y, t);
        MontgomeryMultiply(t, _one, left);

        MontgomeryMultiply(x, x, t);
        MontgomeryMultiply(t, x, right);
        MontgomeryMultiply(x, _threeOverR, threeX);
        SubtractModP(right, threeX, work);
        AddModP(work, _bOverR2, right);
        return left.SequenceEqual(right);
    }

    private void MontgomeryMultiply(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result)
    {
        int n = Limbs;
        Span<ulong> t = stackalloc ulong[n + 2];
        t.Clear();
        // Refs, not span indexing: the inner loops run n² times and bounds checks doubled their cost.
        ref ulong tr = ref MemoryMarshal.GetReference(t);
        ref ulong ar = ref MemoryMarshal.GetReference(a);
        ref ulong pr = ref MemoryMarshal.GetArrayDataReference(_p);
        for (int i = 0; i < n; i++)
        {
            ulong bi = b[i];
            ulong carry = 0;
            for (int j = 0; j < n; j++)
            {
                ref ulong tj = ref Unsafe.Add(ref tr, j);
                carry = MultiplyAdd(Unsafe.Add(ref ar, j), bi, tj, carry, out tj);
            }
            ulong sum = Unsafe.Add(ref tr, n) + carry;
            Unsafe.Add(ref tr, n + 1) = sum < carry ? 1UL : 0UL;
            Unsafe.Add(ref tr, n) = sum;

            ulong m = tr * _n0;
            carry = MultiplyAdd(m, pr, tr, 0, out _);
            for (int j = 1; j < n; j++)
            {
                carry = MultiplyAdd(m, Unsafe.Add(ref pr, j), Unsafe.Add(ref tr, j), carry, out Unsafe.Add(ref tr, j - 1));
            }
            sum = Unsafe.Add(ref tr, n) + carry;
            Unsafe.Add(ref tr, n - 1) = sum;
            Unsafe.Add(ref tr, n) = Unsafe.Add(ref tr, n + 1) + (sum < carry ? 1UL : 0UL);
        }
        // t < 2p: one conditional subtraction reduces it.
        if (t[n] != 0 || Compare(t[..n], _p) >= 0)
        {
            Subtract(t[..n], _p, result);
        }
        else
        {
            t[..n].CopyTo(result);
        }
    }

    /// <summary>a·b + c + d as a 128-bit value: returns the high limb, the low one in <paramref name="low"/>. Never overflows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MultiplyAdd(ulong a, ulong b, ulong c, ulong d, out ulong low)
    {
        ulong high = Math.BigMul(a, b, out ulong product);
        low = product + c;
        high += low < c ? 1UL : 0UL;
        low += d;
        high += low < d ? 1UL : 0UL;
        return high;
    }

    private void AddModP(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result)
    {
        ulong carry = 0;
        for (int i = 0; i < Limbs; i++)
        {
            ulong sum = a[i] + b[i];
            ulong carried = sum + carry;
            carry = (sum < a[i] ? 1UL : 0UL) + (carried < sum ? 1UL : 0UL);
            result[i] = carried;
        }
        if (carry != 0 || Compare(result, _p) >= 0)
        {
            Subtract(result, _p, result);
        }
    }

    private void SubtractModP(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result)
    {
        if (Subtract(a, b, result))
        {
            Span<ulong> wrapped = stackalloc ulong[Limbs];
            result.CopyTo(wrapped);
            AddWrapping(wrapped, _p, result);
        }
    }

    /// <summary>result = a − b modulo 2^(64·limbs); true when it borrowed (a &lt; b).</summary>
    private static bool Subtract(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result)
    {
        ulong borrow = 0;
        for (int i = 0; i < b.Length; i++)
        {
            ulong difference = a[i] - b[i];
            ulong borrowed = difference - borrow;
            borrow = (a[i] < b[i] ? 1UL : 0UL) + (difference < borrow ? 1UL : 0UL);
            result[i] = borrowed;
        }
        return borrow != 0;
    }

    private static void AddWrapping(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result)
    {
        ulong carry = 0;
        for (int i = 0; i < b.Length; i++)
        {
            ulong sum = a[i] + b[i];
            ulong carried = sum + carry;
            carry = (sum < a[i] ? 1UL : 0UL) + (carried < sum ? 1UL : 0UL);
            result[i] = carried;
        }
    }

    private static int Compare(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        for (int i = b.Length - 1; i >= 0; i--)
        {
            if (a[i] != b[i])
            {
                return a[i] < b[i] ? -1 : 1;
            }
        }
        return 0;
    }

    private static ulong[] ToLimbs(BigInteger value, int limbs)
    {
        var result = new ulong[limbs];
        byte[] bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        FromBigEndian(bytes, result);
        return result;
    }
}
