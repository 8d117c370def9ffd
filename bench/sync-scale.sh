#!/usr/bin/env bash
# Sync at scale: N sandbox accounts (passwd file, homes under a root-owned 0755 dir in /var/tmp)
# × K keys each from a file:// registry. First cycle writes every file; the second must write
# nothing. Targets: full cycle < 15 s, no-change cycle < 1 s with zero writes.
# Usage: bench/sync-scale.sh [ACCOUNTS] [KEYS_PER_ACCOUNT]   (default 10000 5)
set -euo pipefail
cd "$(dirname "$0")/.."
K=${K:-$PWD/out/bin/keyagentd}
N=${1:-10000}; PER=${2:-5}
[ -x "$K" ] || { echo "skip: $K missing (run make publish)"; exit 0; }
S=$(mktemp -d /var/tmp/keyagentd-bench-XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$S"' EXIT   # KEEP=1 leaves the sandbox for profiling
chmod 755 "$S"; mkdir -p "$S/home" "$S/state"; chmod 755 "$S/home"

python3 - "$S" "$N" "$PER" "$(id -u)" "$(id -g)" <<'PY'
import base64, json, os, random, struct, sys
s_dir, n, per, uid, gid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
rng = random.Random(20261121)
def s(b): return struct.pack(">I", len(b)) + b
people, accounts = {}, {}
with open(f"{s_dir}/passwd", "w") as pw:
    for i in range(n):
        user = f"u{i:05d}"
        home = f"{s_dir}/home/{user}"
        os.mkdir(home); os.chmod(home, 0o755)
        pw.write(f"{user}:x:{uid}:{gid}:bench:{home}:/bin/sh\n")
        # Ed25519 public keys are any 32 bytes: distinct keys without ssh-keygen.
        keys = [{"key": "ssh-ed25519 " + base64.b64encode(s(b"ssh-ed25519") + s(rng.randbytes(32))).decode() + f" p{i}-k{j}"}
                for j in range(per)]
        people[f"p{i}@example.com"] = {"keys": keys}
        accounts[user] = {"grants": [f"p{i}@example.com"]}
doc = {"schema": "keyagentd.registry/v1", "serial": 1, "issued_at": "2026-01-01T00:00:00Z",
       "expires_at": "2099-01-01T00:00:00Z", "people": people, "accounts": accounts, "revoked": []}
json.dump(doc, open(f"{s_dir}/registry.json", "w"))
PY

cat > "$S/keyagentd.json" <<JSON
{
  "Registry": { "Url": "file://$S/registry.json", "MaxBytes": 268435456 },
  "Accounts": { "PasswdFile": "$S/passwd" },
  "State":    { "Directory": "$S/state" },
  "Audit":    { "Path": "$S/audit.jsonl" }
}
JSON

# Wall time, CPU time (user+sys: the figure that does not depend on other load), peak RSS of the child and its summary line, via getrusage(RUSAGE_CHILDREN).
measure() {
  python3 - "$K" "$S/keyagentd.json" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.run([sys.argv[1], "--config", sys.argv[2], "sync"], capture_output=True, text=True)
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
summary = (p.stdout.strip().splitlines() or ["(no output)"])[-1]
print(f"{wall:.2f}\t{ru.ru_utime + ru.ru_stime:.2f}\t{ru.ru_maxrss // 1024}\t{p.returncode}\t{summary}")
if p.returncode != 0: sys.stderr.write(p.stderr[-2000:])
PY
}
report() { # label target_seconds result
  IFS=$'\t' read -r wall cpu rss rc summary <<<"$3"
  written=$(sed -n 's/.* \([0-9]\+\) file(s) written.*/\1/p' <<<"$summary")
  ok=$(python3 -c "print('ok' if $wall < $2 and $rc == 0 else 'MISSED')")
  printf '%-10s wall %6ss (target < %ss: %s)  cpu %ss  files written %s  peak RSS %s MiB  exit %s\n' "$1" "$wall" "$2" "$ok" "$cpu" "${written:-?}" "$rss" "$rc"
  echo "           $summary"
}
# Per-stage seconds of the cycle just run, from status.json (stage_seconds): where the time went.
stages() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])).get("stage_seconds",{}); print("           stages: " + ", ".join(f"{k} {v:.3f}s" for k, v in d.items() if v >= 0.001))' "$S/state/status.json"
}
# The floor for the first sync's writes (bench/floor/write-floor.c): the same mkdir, open, write, fsync,
# rename and directory fsync per home and per helper cache, at THREADS at once, and nothing else; on a
# fresh copy of the empty homes. FLOOR_CURVE="1 2 4 8 16" measures how the disk answers to concurrency.
FLOOR=$PWD/out/write-floor
mkdir -p out && cc -O2 -pthread -o "$FLOOR" bench/floor/write-floor.c
floor() { # threads
  local f; f=$(mktemp -d /var/tmp/keyagentd-floor-XXXXXX)
  python3 -c 'import os,sys; [os.makedirs(f"{sys.argv[1]}/home/u{i:05d}") for i in range(int(sys.argv[2]))]' "$f" "$N"
  "$FLOOR" "$f" "$N" "$(stat -c %s "$S/home/u00000/.ssh/authorized_keys" 2>/dev/null || echo 530)" "$1"
  rm -rf "$f"
}
THREADS=16  # Sync/Parallelism.MaxAccountsAtOnce
echo "sync-scale: $N accounts x $PER keys (sandbox $S; load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores)"
first=$(measure); report "first" 15 "$first"; stages
floor_s=$(floor $THREADS)
first_wall=$(cut -f1 <<<"$first")
python3 -c "import sys; f, k = float(sys.argv[1]), float(sys.argv[2]); print(f'floor      wall {f:6.2f}s for the same writes at {sys.argv[3]} at once: first sync is {k / f:.2f}x the floor (target <= 1.5x: {\"ok\" if k <= 1.5 * f else \"MISSED\"}); load average now {sys.argv[4]}')" \
  "$floor_s" "$first_wall" "$THREADS" "$(cut -d' ' -f1 /proc/loadavg)"
for t in ${FLOOR_CURVE:-}; do echo "floor      $t at once: $(floor "$t") s (load average $(cut -d' ' -f1 /proc/loadavg))"; done
second=$(measure); report "no-change" 1 "$second"; stages
grep -q ' 0 file(s) written' <<<"$second" || echo "no-change cycle wrote files: MISSED"

# The daemon's steady state: `keyagentd run` reuses the parsed and expanded snapshot while its bytes
# are unchanged, so a no-change cycle is mostly reading 10,000 files. Third cycle's duration, from its log.
python3 - "$K" "$S/keyagentd.json" <<'PY'
import json, re, subprocess, sys, time
cfg = json.load(open(sys.argv[2]))
cfg["Registry"]["PollInterval"] = "00:00:01"; cfg["Registry"]["Jitter"] = "00:00:00"
path = sys.argv[2] + ".daemon.json"; json.dump(cfg, open(path, "w"))
p = subprocess.Popen([sys.argv[1], "--config", path, "run"], stdout=subprocess.PIPE, text=True)
durations, deadline = [], time.monotonic() + 120
for line in p.stdout:
    m = re.search(r"sync (\w+) in ([0-9.]+)s: (.*)", line)
    if m:
        durations.append((float(m.group(2)), m.group(1), m.group(3)))
    if len(durations) >= 4 or time.monotonic() > deadline:
        break
p.terminate(); p.wait(timeout=30)
steady = durations[2:] or durations
best = min(steady)
verdict = "ok" if best[0] < 1 and " 0 file(s) written" in best[2] else "MISSED"
print(f"daemon     no-change cycle {best[0]:.2f}s (target < 1s: {verdict}); cycles seen: {', '.join(f'{d:.2f}s' for d, _, _ in durations)}")
PY
