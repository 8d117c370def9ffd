#!/usr/bin/env bash
# Revocation latency: nginx on 127.0.0.1 serves the registry; `keyagentd run` polls every 2 s (no
# jitter) into a sandbox (passwd file, homes under /var/tmp). 20 trials: remove a key from the registry
# (bump serial, atomic rename) and time until it is gone from authorized_keys (polled every 20 ms).
# Prints median and max. Loopback only; bounded (< 2 min); cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/.."
K=$PWD/out/bin/keyagentd
TRIALS=${TRIALS:-20}
command -v nginx >/dev/null || { echo "revocation-latency: nginx not installed, skipped"; exit 0; }
[ -x "$K" ] || { echo "revocation-latency: $K missing (make publish)"; exit 1; }

S=$(mktemp -d /var/tmp/keyagentd-bench-XXXXXX)
chmod 755 "$S"
DAEMON_PID=
. bench/lib/nginx.sh
cleanup() {
  [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null || true
  nginx_stop
  rm -rf "$S"
}
trap cleanup EXIT

mkdir -p "$S/home/alice" "$S/state"
chmod 755 "$S/home" "$S/home/alice"
echo "alice:x:$(id -u):$(id -g):bench:$S/home/alice:/bin/sh" > "$S/passwd"
nginx_start

# Keys: a fixed "keep" key and one fresh key per trial (revoked in that trial).
ssh-keygen -q -t ed25519 -N '' -C keep -f "$S/keep" >/dev/null
for i in $(seq 1 "$TRIALS"); do ssh-keygen -q -t ed25519 -N '' -C "revoke-$i" -f "$S/k$i" >/dev/null; done

write_registry() { # serial, then the trial numbers whose keys are present
  local serial=$1; shift
  python3 - "$S" "$serial" "$@" <<'PY'
import json, os, sys
s, serial, present = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
keys = [{"key": open(f"{s}/keep.pub").read().strip(), "owner": "keep", "label": "keep"}]
keys += [{"key": open(f"{s}/k{i}.pub").read().strip(), "owner": f"u{i}", "label": f"k{i}"} for i in present]
doc = {"schema": "keyagentd.registry/v1", "serial": serial, "issued_at": "2026-01-01T00:00:00Z",
       "expires_at": "2036-01-01T00:00:00Z", "people": {}, "accounts": {"alice": {"keys": keys}}}
tmp = f"{s}/www/registry.json.tmp"
with open(tmp, "w") as f: json.dump(doc, f)
os.rename(tmp, f"{s}/www/registry.json")
PY
}
write_registry 1 $(seq 1 "$TRIALS")
nginx_wait_for registry.json

cat > "$S/keyagentd.json" <<JSON
{
  "Registry": { "Url": "http://127.0.0.1:$PORT/registry.json", "PollInterval": "00:00:02", "Jitter": "00:00:00" },
  "Accounts": { "PasswdFile": "$S/passwd", "Mode": "exclusive" },
  "Safety":   { "MaxRemovalPercent": 100 },
  "State":    { "Directory": "$S/state" },
  "Audit":    { "Path": "$S/audit.jsonl" }
}
JSON
"$K" --config "$S/keyagentd.json" run > "$S/daemon.log" 2>&1 &
DAEMON_PID=$!
AK=$S/home/alice/.ssh/authorized_keys
for _ in $(seq 500); do grep -q "revoke-$TRIALS" "$AK" 2>/dev/null && break; sleep 0.02; done
grep -q "revoke-$TRIALS" "$AK" || { echo "daemon never wrote $AK"; cat "$S/daemon.log"; exit 1; }

present=$(seq 1 "$TRIALS")
: > "$S/latencies"
deadline=$((SECONDS + 110))
for i in $(seq 1 "$TRIALS"); do
  present=$(echo "$present" | grep -vx "$i" || true)
  # A random phase against the poll timer, so the figure is the real distribution, not one point of it.
  sleep "0.$((RANDOM % 10))"
  write_registry $((i + 1)) $present
  start=$(date +%s%N)
  while grep -q "revoke-$i\$" "$AK"; do
    sleep 0.02
    [ $SECONDS -lt $deadline ] || { echo "timed out"; exit 1; }
  done
  echo $(( ($(date +%s%N) - start) / 1000000 )) >> "$S/latencies"
done
sort -n "$S/latencies" | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2;
  printf "revocation latency over %d trials (poll 2 s, jitter 0, nginx on loopback): median %d ms, max %d ms\n", NR, m, a[NR]}'
