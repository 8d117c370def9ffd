#!/usr/bin/env bash
# A sync killed after it has written every authorized_keys but before it has recorded them still
# leaves every change in the audit log: the next sync appends the changes the killed one stated
# before its first write (state/audit.intent), marked unconfirmed, and the log verifies.
# Random kills (sync-sigkill.sh) seldom land in that moment, so strace kills the sync exactly there:
# at its first write to the audit log: the append of the outcome, after the last file (the log is
# also opened before, to settle what a stopped cycle left and to read its tail for the rollback
# floor, but neither writes when there is nothing to settle; counting writes, not opens, keeps this
# test from depending on how often a cycle reads the log). Same world as sync-sigkill.sh (lib/sync-world.sh).
# Uses out/bin/keyagentd (make publish). Exit 0 pass, 1 fail, 77 skip (reason printed).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
K=$repo/out/bin/keyagentd
accounts=${ACCOUNTS:-100}

[ -x "$K" ] || { echo "SKIP: $K missing (run make publish)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not available"; exit 77; }
[ "$(stat -c %u /var/tmp)" = 0 ] || { echo "SKIP: /var/tmp is not root-owned"; exit 77; }
command -v strace >/dev/null || { echo "SKIP: strace not installed (scripts/setup.sh installs it)"; exit 77; }
strace -f -qq -o /dev/null true 2>/dev/null || { echo "SKIP: strace cannot trace here (ptrace refused)"; exit 77; }

source "$repo/tests/scripts/lib/sync-world.sh"
fail=0
check() { if eval "$2"; then echo "PASS: $1"; else echo "FAIL: $1"; fail=$((fail + 1)); fi; }

reset_v1
cp "$S/registry-v2.json" "$S/registry.json"
records_before=$(wc -l <"$S/audit.jsonl")
# In the background, so the shell does not report the kill; the exit status is the sync's.
strace -f -qq -o /dev/null -P "$S/audit.jsonl" -e trace=write,writev,pwrite64,pwritev -e inject=write,writev,pwrite64,pwritev:signal=KILL:when=1 \
  "$K" --config "$S/keyagentd.json" sync >/dev/null 2>&1 & sync_pid=$!
rc=0; { wait "$sync_pid"; } 2>/dev/null || rc=$?; sync_pid=
check "the sync was killed (exit $rc)" '[ "$rc" = 137 ]'
v2=0
for h in "$S"/home/*; do cmp -s "$h/.ssh/authorized_keys" "$S/expect/v2/$(basename "$h")" && v2=$((v2 + 1)); done
check "every authorized_keys was written before the kill ($v2 of $accounts)" '[ "$v2" = "$accounts" ]'
check "none of it was recorded in the log" '[ "$(wc -l <"$S/audit.jsonl")" = "$records_before" ]'
check "the changes were stated in state/audit.intent" '[ -s "$S/state/audit.intent" ]'

ka_sync >/dev/null
unconfirmed=$(grep -c '"message":"unconfirmed: ' "$S/audit.jsonl" || true)
added=$(grep '"message":"unconfirmed: ' "$S/audit.jsonl" | grep -c '"action":"key-added"' || true)
removed=$(grep '"message":"unconfirmed: ' "$S/audit.jsonl" | grep -c '"action":"key-removed"' || true)
check "the next sync recorded the stop (audit-resumed unconfirmed-changes)" \
  'grep -q "\"action\":\"audit-resumed\".*\"reason\":\"unconfirmed-changes\"" "$S/audit.jsonl"'
check "every key added and removed is in the log, unconfirmed ($added added, $removed removed)" \
  '[ "$added" = $((accounts * 3)) ] && [ "$removed" = $((accounts * 3)) ]'
check "the intent is gone" '[ ! -e "$S/state/audit.intent" ]'
verdict=$("$K" --config "$S/keyagentd.json" audit verify 2>&1) || true
check "audit verify: $verdict" '[[ "$verdict" == *"chain intact"* ]]'
echo "sync-killed-before-audit: $unconfirmed unconfirmed record(s) appended by the next sync, $fail failure(s)"
[ "$fail" = 0 ]
