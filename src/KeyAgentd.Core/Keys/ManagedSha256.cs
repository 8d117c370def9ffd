using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KeyAgentd.Core.Keys;

/// <summary>
/// SHA-256 (FIPS 180-4) in managed code, kept for keyagentd-keys alone. The framework's SHA256 goes
/// through OpenSSL on Linux, and loading it costs more (22–79 ms on the first call, bench/primitives.sh)
/// than everything else the helper does on a login with sshd's %f. In bulk the library is faster
/// (1.8–2.5×), so everything else fingerprints with SHA256.HashData. The tests check
/// this against SHA256.HashData on a million random inputs of 0–1,000 bytes.
/// </summary>
public static class ManagedSha256
{
    private static ReadOnlySpan<uint> K =>
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> digest)
    {
        if (digest.Length < 32)
        {
            throw new ArgumentException("digest must hold 32 bytes", nameof(digest));
        }
        Span<uint> h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
        Span<uint> w = stackalloc uint[64];
        int full = data.Length / 64 * 64;
        Compress(h, w, data[..full]);
        // Padding: 0x80, zeros, then the message length in bits as a big-endian 64-bit number.
        Span<byte> tail = stackalloc byte[128];
        tail.Clear();
        int rest = data.Length - full;
        data[full..].CopyTo(tail);
        tail[rest] = 0x80;
        int tailLength = rest + 9 <= 64 ? 64 : 128;
        BinaryPrimitives.WriteUInt64BigEndian(tail.Slice(tailLength - 8), (ulong)data.Length * 8);
        Compress(h, w, tail[..tailLength]);
        for (int i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(digest.Slice(i * 4), h[i]);
        }
    }

    /// <summary>
    /// Every 64-byte block of <paramref name="blocks"/>. The state lives in locals across blocks and
    /// the schedule and constants are read through refs: the span-indexed version spent a third of
    /// its time on bounds checks, and an RSA-4096 blob is nine blocks.
    /// </summary>
    private static void Compress(Span<uint> h, Span<uint> schedule, ReadOnlySpan<byte> blocks)
    {
        ref uint w = ref MemoryMarshal.GetReference(schedule);
        ref uint k = ref MemoryMarshal.GetReference(K);
        uint h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4], h5 = h[5], h6 = h[6], h7 = h[7];
        for (int offset = 0; offset + 64 <= blocks.Length; offset += 64)
        {
            ReadOnlySpan<uint> words = MemoryMarshal.Cast<byte, uint>(blocks.Slice(offset, 64));
            if (BitConverter.IsLittleEndian)
            {
                BinaryPrimitives.ReverseEndianness(words, schedule[..16]);
            }
            else
            {
                words.CopyTo(schedule);
            }
            for (int t = 16; t < 64; t++)
            {
                uint w15 = Unsafe.Add(ref w, t - 15);
                uint w2 = Unsafe.Add(ref w, t - 2);
                uint s0 = BitOperations.RotateRight(w15, 7) ^ BitOperations.RotateRight(w15, 18) ^ (w15 >> 3);
                uint s1 = BitOperations.RotateRight(w2, 17) ^ BitOperations.RotateRight(w2, 19) ^ (w2 >> 10);
                Unsafe.Add(ref w, t) = Unsafe.Add(ref w, t - 16) + s0 + Unsafe.Add(ref w, t - 7) + s1;
            }
            uint a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, hh = h7;
            for (int t = 0; t < 64; t++)
            {
                uint s1 = BitOperations.RotateRight(e, 6) ^ BitOperations.RotateRight(e, 11) ^ BitOperations.RotateRight(e, 25);
                uint ch = (e & f) ^ (~e & g);
                uint temp1 = hh + s1 + ch + Unsafe.Add(ref k, t) + Unsafe.Add(ref w, t);
                uint s0 = BitOperations.RotateRight(a, 2) ^ BitOperations.RotateRight(a, 13) ^ BitOperations.RotateRight(a, 22);
                uint maj = (a & b) ^ (a & c) ^ (b & c);
                hh = g;
                g = f;
                f = e;
                e = d + temp1;
                d = c;
                c = b;
                b = a;
                a = temp1 + s0 + maj;
            }
            h0 += a;
            h1 += b;
            h2 += c;
            h3 += d;
            h4 += e;
            h5 += f;
            h6 += g;
            h7 += hh;
        }
        h[0] = h0;
        h[1] = h1;
        h[2] = h2;
        h[3] = h3;
        h[4] = h4;
        h[5] = h5;
        h[6] = h6;
        h[7] = h7;
    }
}
