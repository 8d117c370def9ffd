#!/usr/bin/env bash
# Benchmark: fingerprint N mixed keys with `keyagentd fingerprint` and with `ssh-keygen -l -f`,
# side by side, check the outputs are identical, print both wall times and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
RUNS=${RUNS:-3}
BIN=${BIN:-out/bin/keyagentd}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 bench/gen-keys.py "$N" "$work/keys.pub"

best() {  # best-of-RUNS wall time in seconds of "$@" > $out
  local out=$1; shift; local best=""
  for _ in $(seq "$RUNS"); do
    local t0 t1; t0=$(date +%s.%N); "$@" > "$out"; t1=$(date +%s.%N)
    best=$(python3 -c "t=$t1-$t0; b='$best'; print(t if b=='' or t<float(b) else b)")
  done
  echo "$best"
}

t_ours=$(best "$work/ours.txt" "$BIN" fingerprint "$work/keys.pub")
t_keygen=$(best "$work/keygen.txt" ssh-keygen -l -f "$work/keys.pub")
if cmp -s "$work/ours.txt" "$work/keygen.txt"; then same="identical"; else same="DIFFERENT"; fi
lines=$(wc -l < "$work/ours.txt")
python3 - "$N" "$t_ours" "$t_keygen" "$same" "$lines" <<'PY'
import sys
n, ours, keygen, same, lines = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
print(f"fingerprint of {n} mixed keys (40% ed25519, 30% rsa 2048-4096, 30% ecdsa), best of runs:")
print(f"  keyagentd fingerprint  {ours:8.3f} s")
print(f"  ssh-keygen -l -f       {keygen:8.3f} s")
print(f"  ratio                  {keygen/ours:8.1f}x faster   output: {same} ({lines} lines)")
PY
[ "$same" = identical ]
