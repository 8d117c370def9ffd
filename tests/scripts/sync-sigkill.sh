#!/usr/bin/env bash
# A `keyagentd sync` killed with SIGKILL at a random moment leaves every authorized_keys either
# as the previous snapshot rendered it or as the new one does: never partial, never missing.
# ACCOUNTS (100) sandbox accounts, registry v1 then v2 with different keys (tests/scripts/lib/sync-world.sh).
# Then ITERATIONS times: reset to v1, switch the registry to v2, start a sync, kill -9 it after
# a random delay, check every file. The delay is drawn from 0 to 1.2× the time a clean v2 sync took
# (at least 50 ms), so most kills land inside the run, from start-up through the writes to the audit
# append at its end. After each kill a follow-up sync must complete the work and leave an audit log
# that verifies (what the killed run left is settled and recorded by the next run).
# SEED=N replays the kill delays of a printed run. Uses out/bin/keyagentd (make publish). Exit 0 pass, 1 fail, 77 skip (reason printed).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
K=$repo/out/bin/keyagentd
iterations=${ITERATIONS:-12}; accounts=${ACCOUNTS:-100}

[ -x "$K" ] || { echo "SKIP: $K missing (run make publish)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not available"; exit 77; }
[ "$(stat -c %u /var/tmp)" = 0 ] || { echo "SKIP: /var/tmp is not root-owned"; exit 77; }

source "$repo/tests/scripts/lib/sync-world.sh"

seed=${SEED:-$RANDOM}   # SEED=N replays the same kill delays (on a machine of the same pace)
echo "a clean v1→v2 sync of $accounts accounts takes $((max_ms * 10 / 12)) ms; kills fall in 0–${max_ms} ms; SEED=$seed"
delays=($(python3 -c "import random; r = random.Random($seed); print(' '.join(str(r.randint(0, $max_ms) / 1000) for _ in range($iterations)))"))
fail=0; total_v1=0; total_v2=0; kills=0; resumed=0
for ((i = 1; i <= iterations; i++)); do
  reset_v1
  cp "$S/registry-v2.json" "$S/registry.json"
  delay=${delays[i - 1]}
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
echo "sync-sigkill: SEED=$seed, $iterations runs, $kills killed mid-run, files seen: $total_v1 v1, $total_v2 v2, $resumed stopped cycle(s) settled in the audit by the next (audit-resumed), $fail failure(s)"
[ "$fail" = 0 ]
