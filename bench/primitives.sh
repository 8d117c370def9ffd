#!/usr/bin/env bash
# The key engine's hand-written primitives against the library calls they stand in for, in the real
# workload: the blobs of bench/fingerprint.sh's 100,000 mixed keys (SHA-256 of every blob) and its
# ECDSA points (the on-curve check of every one), warm, in one process, median of 7 runs:
#   SHA-256: ManagedSha256 (kept for keyagentd-keys alone) vs SHA256.HashData (OpenSSL), and the
#            first SHA256.HashData of a process (loading OpenSSL: what a login helper would pay);
#   curve:   FieldArithmetic (EcCurve.ValidatePoint) vs BouncyCastle's point validation vs an
#            OpenSSL ECDsa import of the point (a sample: it costs milliseconds a point).
# Ratios, not absolute times, are what survive a loaded machine; the load average is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
dotnet build bench/primitives/Primitives.csproj -c Release -nologo -clp:ErrorsOnly -o "$work/bin" >/dev/null
python3 bench/gen-keys.py "$N" "$work/keys.pub"
echo "primitives: $N mixed keys, load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores"
dotnet "$work/bin/KeyAgentd.Bench.Primitives.dll" "$work/keys.pub" | python3 -c '
import sys
for row in sys.stdin:
    f = row.split()
    if f[0] == "sha256":
        ours, lib, n, first = float(f[1]), float(f[2]), f[3], float(f[4])
        print(f"  SHA-256 of {n} key blobs   managed {ours/1000:6.2f} us/key   SHA256.HashData {lib/1000:6.2f} us/key   library/managed {lib/ours:4.2f}   first library call {first:.1f} ms")
    else:
        ours, bc, n, ossl = float(f[1]), float(f[2]), f[3], float(f[4])
        print(f"  on-curve check, {n} points  FieldArithmetic {ours/1000:6.2f} us   BouncyCastle {bc/1000:6.2f} us ({bc/ours:4.1f}x)   OpenSSL ECDsa import {ossl/1000:8.1f} us ({ossl/ours:5.0f}x)")
'
