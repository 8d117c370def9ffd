#!/usr/bin/env bash
# A `keyagentd sync` killed with SIGKILL at a random moment leaves every authorized_keys either
# as the previous snapshot rendered it or as the new one does: never partial, never missing.
# 200 sandbox accounts (passwd file, current uid, homes under a root-owned 0755 dir in /var/tmp);
# registry v1 then v2 with different keys. The two renderings are recorded from clean runs first.
# Then ITERATIONS times: reset to v1, switch the registry to v2, start a sync, kill -9 it after
# a random delay, check every file. The delay is drawn from 0 to 1.2× the time a clean v2 sync took
# (at least 50 ms), so most kills land inside the run, from start-up through the writes to the audit
# append at its end. After each kill a follow-up sync must complete the work and leave an audit log
# that verifies (an append cut short is settled and recorded by the next run).
# Uses out/bin/keyagentd (make publish). Exit 0 pass, 1 fail, 77 skip (reason printed).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
K=$repo/out/bin/keyagentd
iterations=${ITERATIONS:-12}; accounts=${ACCOUNTS:-100}

[ -x "$K" ] || { echo "SKIP: $K missing (run make publish)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not available"; exit 77; }
[ "$(stat -c %u /var/tmp)" = 0 ] || { echo "SKIP: /var/tmp is not root-owned"; exit 77; }

S=$(mktemp -d /var/tmp/keyagentd-sync-sigkill-XXXXXX)
sync_pid=
cleanup() { [ -n "$sync_pid" ] && kill -9 "$sync_pid" 2>/dev/null; rm -rf "$S"; }
trap cleanup EXIT
chmod 755 "$S"; mkdir -p "$S/home" "$S/expect/v1" "$S/expect/v2"; chmod 755 "$S/home"

python3 - "$S" "$accounts" "$(id -u)" "$(id -g)" <<'PY'
import base64, json, os, random, struct, sys
d, n, uid, gid = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rng = random.Random(7)
def s(b): return struct.pack(">I", len(b)) + b
def key(c): return "ssh-ed25519 " + base64.b64encode(s(b"ssh-ed25519") + s(rng.randbytes(32))).decode() + " " + c
with open(f"{d}/passwd", "w") as pw:
    for i in range(n):
        home = f"{d}/home/u{i:04d}"
        os.mkdir(home); os.chmod(home, 0o755)
        pw.write(f"u{i:04d}:x:{uid}:{gid}:sigkill:{home}:/bin/sh\n")
for serial in (1, 2):
    people = {f"p{i}": {"keys": [{"key": key(f"v{serial}-p{i}-k{j}")} for j in range(3)]} for i in range(n)}
    accts = {f"u{i:04d}": {"grants": [f"p{i}"]} for i in range(n)}
    json.dump({"schema": "keyagentd.registry/v1", "serial": serial, "issued_at": "2026-01-01T00:00:00Z",
               "expires_at": "2099-01-01T00:00:00Z", "people": people, "accounts": accts, "revoked": []},
              open(f"{d}/registry-v{serial}.json", "w"))
PY

cat > "$S/keyagentd.json" <<JSON
{
  "Registry": { "Url": "file://$S/registry.json" },
  "Accounts": { "PasswdFile": "$S/passwd" },
  "Safety":   { "MaxRemovalPercent": 100 },
  "State":    { "Directory": "$S/state" },
  "Audit":    { "Path": "$S/audit.jsonl" }
}
JSON
ka_sync() { "$K" --config "$S/keyagentd.json" sync "$@"; }

# Back to a clean v1 world: v1 files, v1 state (serial 1 accepted), v1 registry.
reset_v1() {
  rm -rf "$S/state" "$S/audit.jsonl" "$S/audit.jsonl".* "$S"/home/*/.ssh
  cp "$S/registry-v1.json" "$S/registry.json"
  ka_sync >/dev/null || { echo "FAIL: clean v1 sync failed"; exit 1; }
}

reset_v1
for h in "$S"/home/*; do cp "$h/.ssh/authorized_keys" "$S/expect/v1/$(basename "$h")"; done
cp "$S/registry-v2.json" "$S/registry.json"
start=$(date +%s%N)
ka_sync >/dev/null || { echo "FAIL: clean v2 sync failed"; exit 1; }
max_ms=$(( ($(date +%s%N) - start) * 12 / 10000000 )); [ "$max_ms" -ge 50 ] || max_ms=50
for h in "$S"/home/*; do cp "$h/.ssh/authorized_keys" "$S/expect/v2/$(basename "$h")"; done
cmp -s "$S/expect/v1/u0000" "$S/expect/v2/u0000" && { echo "FAIL: v1 and v2 render the same"; exit 1; }

echo "a clean v1→v2 sync of $accounts accounts takes $((max_ms * 10 / 12)) ms; kills fall in 0–${max_ms} ms"
fail=0; total_v1=0; total_v2=0; kills=0; resumed=0
for ((i = 1; i <= iterations; i++)); do
  reset_v1
  cp "$S/registry-v2.json" "$S/registry.json"
  delay=$(python3 -c "import random; print(random.randint(0, $max_ms) / 1000)")
  "$K" --config "$S/keyagentd.json" sync >/dev/null 2>&1 & sync_pid=$!  # keyagentd itself, not a subshell
  sleep "$delay"
  kill -9 "$sync_pid" 2>/dev/null && kills=$((kills + 1)) || true
  wait "$sync_pid" 2>/dev/null || true; sync_pid=
  v1=0; v2=0; bad=0
  for h in "$S"/home/*; do
    u=$(basename "$h"); f=$h/.ssh/authorized_keys
    if [ ! -f "$f" ] || [ -L "$f" ]; then echo "FAIL: iteration $i: $u: authorized_keys missing"; bad=$((bad + 1))
    elif cmp -s "$f" "$S/expect/v1/$u"; then v1=$((v1 + 1))
    elif cmp -s "$f" "$S/expect/v2/$u"; then v2=$((v2 + 1))
    else echo "FAIL: iteration $i: $u: neither v1 nor v2 ($(wc -c <"$f") bytes)"; bad=$((bad + 1)); fi
    [ "$(stat -c %a "$f" 2>/dev/null)" = 600 ] || { echo "FAIL: iteration $i: $u: mode $(stat -c %a "$f" 2>/dev/null)"; bad=$((bad + 1)); }
  done
  echo "iteration $i: kill after ${delay}s: $v1 v1, $v2 v2, $bad bad"
  total_v1=$((total_v1 + v1)); total_v2=$((total_v2 + v2)); fail=$((fail + bad))
  # The next sync finishes what the killed one started.
  out=$(ka_sync) || { echo "FAIL: iteration $i: follow-up sync failed: $out"; fail=$((fail + 1)); }
  for h in "$S"/home/*; do
    cmp -s "$h/.ssh/authorized_keys" "$S/expect/v2/$(basename "$h")" || { echo "FAIL: iteration $i: $(basename "$h") not v2 after the follow-up sync"; fail=$((fail + 1)); }
  done
  leftovers=$(find "$S/home" -name '*keyagentd-tmp*' | wc -l)
  [ "$leftovers" = 0 ] || { echo "FAIL: iteration $i: $leftovers temp file(s) left after the follow-up sync"; fail=$((fail + 1)); }
  resumed=$((resumed + $(grep -c '"action":"audit-resumed"' "$S/audit.jsonl" || true)))
  verdict=$("$K" --config "$S/keyagentd.json" audit verify 2>&1) || { echo "FAIL: iteration $i: audit verify failed after the kill: $verdict"; fail=$((fail + 1)); }
done
echo "sync-sigkill: $iterations runs, $kills killed mid-run, files seen: $total_v1 v1, $total_v2 v2, $resumed audit append(s) cut short and settled, $fail failure(s)"
[ "$fail" = 0 ]
