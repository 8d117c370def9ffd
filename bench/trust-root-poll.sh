#!/usr/bin/env bash
# The trust root's cost and reach (docs/trust-root.md "Measured"). nginx on 127.0.0.1 serves a signed
# snapshot and root/1.json; HOSTS real `keyagentd run` daemons (each its own state, audit, host name)
# poll every 4 s ± 1 s (the default 60 s ± 15 s scaled by 1/15).
#  1. Cost: nginx's access log (request and response bytes per line) over the steady-state cycles:
#     what each cycle asks for, and what the root/N+1.json 404 adds.
#  2. Reach: ROTATIONS times, root N+1 is published (its .sig first); each daemon's root-accepted audit
#     record gives the delay from publication to acceptance. Printed as measured and scaled by 15.
# Loopback only; bounded (about a minute); cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=${HOSTS:-5}
ROTATIONS=${ROTATIONS:-4}
if [ -x out/bin/keyagentd ] && [ "${KEYAGENTD_BENCH_BUILT:-0}" != 1 ]; then K=("$PWD/out/bin/keyagentd")
else K=(dotnet "$PWD/src/KeyAgentd/bin/Release/net10.0/linux-x64/keyagentd.dll"); fi
command -v nginx >/dev/null || { echo "trust-root-poll: nginx not installed, skipped"; exit 0; }

S=$(mktemp -d /var/tmp/keyagentd-bench-XXXXXX)
chmod 755 "$S"
PIDS=()
. bench/lib/nginx.sh
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  nginx_stop
  rm -rf "$S"
}
trap cleanup EXIT

mkdir -p "$S/www/root" "$S/home/alice"
chmod 755 "$S/home" "$S/home/alice" "$S/www" "$S/www/root"
echo "alice:x:$(id -u):$(id -g):bench:$S/home/alice:/bin/sh" > "$S/passwd"
nginx_start '$msec $request $status $request_length $bytes_sent'

for k in root ci user; do ssh-keygen -q -t ed25519 -N '' -C "bench-$k" -f "$S/$k" >/dev/null; done
python3 - "$S" <<'PY'
import json, sys, datetime as d
s = sys.argv[1]
now = d.datetime.now(d.timezone.utc).replace(microsecond=0)
fmt = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
doc = {"schema": "keyagentd.registry/v1", "serial": 1, "issued_at": fmt(now - d.timedelta(minutes=1)),
       "expires_at": fmt(now + d.timedelta(days=7)), "people": {},
       "accounts": {"alice": {"keys": [{"key": open(f"{s}/user.pub").read().strip(), "owner": "alice", "label": "alice"}]}}}
open(f"{s}/www/registry.json", "w").write(json.dumps(doc))
PY
ssh-keygen -q -Y sign -n keyagentd-registry -f "$S/ci" "$S/www/registry.json"

publish_root() { # version: root/N.json signed by the one root key (threshold 1), .sig before .json
  local v=$1
  python3 - "$S" "$v" <<'PY'
import json, sys, datetime as d
s, v = sys.argv[1], int(sys.argv[2])
exp = (d.datetime.now(d.timezone.utc) + d.timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ")
doc = {"schema": "keyagentd-root/1", "version": v, "expires_at": exp,
       "root": {"threshold": 1, "keys": [{"principal": "alice", "key": open(f"{s}/root.pub").read().strip()}]},
       "snapshot": {"threshold": 1, "signers": [{"principals": "ci", "key": open(f"{s}/ci.pub").read().strip()}]}}
open(f"{s}/stage.json", "w").write(json.dumps(doc, indent=2) + "\n")
PY
  rm -f "$S/stage.json.sig"
  ssh-keygen -q -Y sign -n keyagentd-root -f "$S/root" "$S/stage.json"
  cp "$S/stage.json.sig" "$S/www/root/.tmp.sig" && mv "$S/www/root/.tmp.sig" "$S/www/root/$v.json.sig"
  cp "$S/stage.json" "$S/www/root/.tmp" && mv "$S/www/root/.tmp" "$S/www/root/$v.json"
}
publish_root 1
cp "$S/www/root/1.json" "$S/installed-root.json"; cp "$S/www/root/1.json.sig" "$S/installed-root.json.sig"
nginx_wait_for registry.json

for h in $(seq 1 "$HOSTS"); do
  mkdir -p "$S/h$h"
  cat > "$S/h$h/keyagentd.json" <<JSON
{
  "Registry": { "Url": "http://127.0.0.1:$PORT/registry.json", "TrustRootFile": "$S/installed-root.json",
                "AllowedSignersFile": "$S/none", "PollInterval": "00:00:04", "Jitter": "00:00:01" },
  "Host":     { "Name": "web-$h.example.com" },
  "Accounts": { "PasswdFile": "$S/passwd", "Mode": "exclusive" },
  "State":    { "Directory": "$S/h$h/state" },
  "Audit":    { "Path": "$S/h$h/audit.jsonl" }
}
JSON
  "${K[@]}" --config "$S/h$h/keyagentd.json" run > "$S/h$h/daemon.log" 2>&1 &
  PIDS+=($!)
done
accepted() { grep -h "\"root-accepted\"" "$S"/h*/audit.jsonl 2>/dev/null | grep -c "\"root_version\":$1" || true; }
for _ in $(seq 600); do [ "$(accepted 1)" -ge "$HOSTS" ] && break; sleep 0.1; done
[ "$(accepted 1)" -ge "$HOSTS" ] || { echo "daemons never accepted root 1"; cat "$S/h1/daemon.log"; exit 1; }

# 1. Steady state: let every daemon run a few cycles, then read the log from here on.
sleep 6
START=$(wc -l < "$S/nginx/logs/access.log")
sleep 12
tail -n +"$((START + 1))" "$S/nginx/logs/access.log" | python3 -c '
import sys, collections
req = collections.Counter(); inb = collections.Counter(); out = collections.Counter()
for line in sys.stdin:
    t, method, path, proto, status, rl, bs = line.split()
    key = ("root/N+1.json" if path.startswith("/root/") else path) + " " + status
    req[key] += 1; inb[key] += int(rl); out[key] += int(bs)
cycles = req["/registry.json 304"]
print(f"steady state: {cycles} cycles over all hosts")
for k in sorted(req):
    print(f"  GET {k:28} {req[k]/cycles:.2f} per cycle, {inb[k]/req[k]:.0f} B request, {out[k]/req[k]:.0f} B response")
'

# 2. Reach: publish root N+1, time each host's acceptance from its audit record.
: > "$S/delays"
for v in $(seq 2 $((ROTATIONS + 1))); do
  sleep "0.$((RANDOM % 10))"
  T0=$(date +%s.%N)
  publish_root "$v"
  for _ in $(seq 200); do [ "$(accepted "$v")" -ge "$HOSTS" ] && break; sleep 0.05; done
  grep -h "\"root-accepted\"" "$S"/h*/audit.jsonl | grep "\"root_version\":$v" | python3 -c '
import sys, json, datetime as d
t0 = float(sys.argv[1])
for line in sys.stdin:
    t = d.datetime.fromisoformat(json.loads(line)["time"].replace("Z", "+00:00")).timestamp()
    print(f"{max(t - t0, 0):.3f}")
' "$T0" >> "$S/delays"
done
python3 - "$S/delays" <<'PY'
import sys, statistics
d = sorted(float(x) for x in open(sys.argv[1]))
q = lambda p: d[min(len(d) - 1, int(p * len(d)))]
print(f"publication -> root accepted, {len(d)} samples ({len(d)} host-rotations), poll 4 s +- 1 s:")
print(f"  measured: min {d[0]:.2f} s, median {statistics.median(d):.2f} s, p90 {q(0.9):.2f} s, max {d[-1]:.2f} s")
print(f"  scaled x15 to 60 s +- 15 s: min {d[0]*15:.0f} s, median {statistics.median(d)*15:.0f} s, p90 {q(0.9)*15:.0f} s, max {d[-1]*15:.0f} s")
PY
