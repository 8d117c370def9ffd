#!/usr/bin/env bash
# Verification cost per snapshot: a 10,000-account registry (5 keys each, ~5 MB) signed with
# `ssh-keygen -Y sign` by an Ed25519, an ECDSA P-256 and an RSA 3072 key, verified side by side by
#  - ssh-keygen -Y verify (the baseline: a process per verification, as operators run it),
#  - keyagentd registry verify (a process: runtime start-up, signature, parse, audience, validity),
#  - RegistryTrust.Verify in a warm process (what the daemon pays per new snapshot: hash + signature).
# Medians of RUNS process runs (default 11) and of 50 in-process iterations.
# Usage: bench/signature-verify.sh [ACCOUNTS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
K=$PWD/out/bin/keyagentd
N=${1:-10000}; RUNS=${2:-11}
[ -x "$K" ] || { echo "skip: $K missing (run make publish)"; exit 0; }
S=$(mktemp -d /var/tmp/keyagentd-bench-verify-XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$S"' EXIT
dotnet build bench/verify-cost/VerifyCost.csproj -c Release -nologo -clp:ErrorsOnly -o "$S/verify-cost" >/dev/null

python3 - "$S/registry.json" "$N" <<'PY'
import base64, datetime, json, random, struct, sys
path, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261121)
def s(b): return struct.pack(">I", len(b)) + b
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
people, accounts = {}, {}
for i in range(n):
    # Ed25519 public keys are any 32 bytes: distinct keys without ssh-keygen.
    people[f"p{i}@example.com"] = {"keys": [{"key": "ssh-ed25519 " + base64.b64encode(s(b"ssh-ed25519") + s(rng.randbytes(32))).decode() + f" p{i}-k{j}"} for j in range(5)]}
    accounts[f"u{i:05d}"] = {"grants": [f"p{i}@example.com"]}
doc = {"schema": "keyagentd.registry/v1", "serial": 1, "issued_at": now.isoformat().replace("+00:00", "Z"),
       "expires_at": (now + datetime.timedelta(days=7)).isoformat().replace("+00:00", "Z"),
       "audience": ["bench-*"], "people": people, "accounts": accounts, "revoked": []}
json.dump(doc, open(path, "w"))
PY
echo "{ \"State\": { \"Directory\": \"$S/state\" } }" > "$S/keyagentd.json"
echo "snapshot: $N accounts, $(stat -c %s "$S/registry.json") bytes"

# Median wall milliseconds of RUNS runs of a shell command.
median_ms() {
  python3 - "$RUNS" "$1" <<'PY'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2]
samples = []
for _ in range(runs):
    t = time.monotonic()
    p = subprocess.run(["sh", "-c", cmd], capture_output=True)
    samples.append((time.monotonic() - t) * 1000)
    if p.returncode != 0:
        sys.stderr.write(p.stdout.decode()[-1000:] + p.stderr.decode()[-1000:]); sys.exit(1)
print(f"{statistics.median(samples):.1f}")
PY
}

printf '%-14s %12s %14s %14s %12s\n' signer "ssh-keygen" "registry verify" "in-process" "(parse)"
for spec in "ed25519 0" "ecdsa 256" "rsa 3072"; do
  set -- $spec
  ssh-keygen -q -t "$1" -b "$2" -N '' -C "bench-$1" -f "$S/key-$1" 2>/dev/null || ssh-keygen -q -t "$1" -N '' -C "bench-$1" -f "$S/key-$1"
  echo "release@example.com namespaces=\"keyagentd-registry\" $(cut -d' ' -f1,2 "$S/key-$1.pub")" > "$S/allowed-$1"
  cp "$S/registry.json" "$S/registry-$1.json"
  ssh-keygen -q -Y sign -n keyagentd-registry -f "$S/key-$1" "$S/registry-$1.json"
  oracle=$(median_ms "ssh-keygen -Y verify -f '$S/allowed-$1' -I release@example.com -n keyagentd-registry -s '$S/registry-$1.json.sig' < '$S/registry-$1.json'")
  ours=$(median_ms "'$K' --config '$S/keyagentd.json' registry verify --allowed-signers '$S/allowed-$1' --host bench-1 '$S/registry-$1.json'")
  IFS=$'\t' read -r inproc parse < <(dotnet "$S/verify-cost/VerifyCost.dll" "$S/registry-$1.json" "$S/registry-$1.json.sig" "$S/allowed-$1" 50)
  printf '%-14s %9s ms %11s ms %11s ms %9s ms\n' "$1 $2" "$oracle" "$ours" "$inproc" "$parse"
done
