#!/usr/bin/env bash
# Registry serving at fleet scale: real nginx on 127.0.0.1 (one worker, pinned to one core) serves
# HOSTS per-host snapshots of realistic size; wrk (on the other core) asks for random hosts' documents,
# first unconditionally (200, full body), then with each document's ETag (304, what a polling host
# that has not missed a change sends). Throughput is divided by the nginx worker's own CPU time
# (from /proc), so the figure is "requests per nginx core-second" whatever wrk costs. From that:
# hosts one core serves at the default poll (60 s ± 15 s), and the arithmetic for 100,000 hosts.
# Loopback only; bounded (2 × DURATION seconds of load); cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=${HOSTS:-2000}
KEYS=${KEYS:-40}          # keys per host document (a few accounts, a team each)
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
command -v nginx >/dev/null || { echo "registry-serving: nginx not installed, skipped"; exit 0; }
command -v wrk >/dev/null || { echo "registry-serving: wrk not installed (apt-get install wrk), skipped"; exit 0; }

S=$(mktemp -d /var/tmp/keyagentd-serve-XXXXXX)
chmod 755 "$S"
NGINX_PID=
cleanup() {
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
  rm -rf "$S"
}
trap cleanup EXIT
mkdir -p "$S/www" "$S/nginx/logs" "$S/nginx/tmp"
chmod 755 "$S/www"

# Documents: HOSTS files host-N.json of KEYS realistic key lines (ed25519 and RSA-3072 mixed), plus a
# Lua table of their ETags as nginx computes them ("%x-%x" of mtime and size).
python3 - "$S" "$HOSTS" "$KEYS" <<'PY'
import base64, json, os, random, sys
s, hosts, keys = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(1)
def key(i):
    if i % 3 == 0:
        blob = b"\x00\x00\x00\x07ssh-rsa" + bytes(rnd.getrandbits(8) for _ in range(400))
        return "ssh-rsa " + base64.b64encode(blob).decode() + f" person{i}@example.com"
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + bytes(rnd.getrandbits(8) for _ in range(32))
    return "ssh-ed25519 " + base64.b64encode(blob).decode() + f" person{i}@example.com"
etags = []
for h in range(hosts):
    people = {f"p{h}-{i}@example.com": {"keys": [{"key": key(i), "label": "laptop"}]} for i in range(keys)}
    doc = {"schema": "keyagentd.registry/v1", "serial": 1000 + h, "audience": [f"host-{h}"],
           "issued_at": "2026-11-30T00:00:00Z", "expires_at": "2026-12-07T00:00:00Z", "people": people,
           "accounts": {"deploy": {"grants": sorted(people)[: keys // 2]}, "ops": {"grants": sorted(people)}}}
    path = f"{s}/www/host-{h}.json"
    with open(path, "w") as f:
        json.dump(doc, f, sort_keys=True, separators=(",", ":"))
    st = os.stat(path)
    etags.append('"%x-%x"' % (int(st.st_mtime), st.st_size))
with open(f"{s}/etags.lua", "w") as f:
    f.write("etags = {" + ",".join(etags) + "}\n")
print(f"documents: {hosts}, median size {sorted(os.path.getsize(f'{s}/www/host-{h}.json') for h in range(hosts))[hosts // 2]} bytes")
PY

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$S/nginx/nginx.conf" <<CONF
worker_processes 1;
worker_cpu_affinity 01;
error_log $S/nginx/logs/error.log;
pid $S/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  open_file_cache max=10000 inactive=60s;
  sendfile on; tcp_nopush on; keepalive_requests 100000;
  client_body_temp_path $S/nginx/tmp; proxy_temp_path $S/nginx/tmp; fastcgi_temp_path $S/nginx/tmp;
  uwsgi_temp_path $S/nginx/tmp; scgi_temp_path $S/nginx/tmp;
  types { application/json json; }
  server { listen 127.0.0.1:$PORT backlog=4096; root $S/www; etag on; }
}
CONF
nginx -c "$S/nginx/nginx.conf" -p "$S/nginx" -g 'daemon off;' &
NGINX_PID=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/host-0.json" && break; sleep 0.1; done
WORKER=$(pgrep -P "$NGINX_PID" | head -1)

cat > "$S/full.lua" <<LUA
dofile("$S/etags.lua")
request = function() return wrk.format("GET", "/host-" .. math.random(0, $HOSTS - 1) .. ".json") end
LUA
cat > "$S/cond.lua" <<LUA
dofile("$S/etags.lua")
request = function()
  local h = math.random(0, $HOSTS - 1)
  return wrk.format("GET", "/host-" .. h .. ".json", { ["If-None-Match"] = etags[h + 1] })
end
LUA
# Every conditional request must be a 304, or the figure measures something else.
status=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $(sed -E 's/etags = \{("[^"]*").*/\1/' "$S/etags.lua" | tr -d '"' | sed 's/.*/"&"/')" "http://127.0.0.1:$PORT/host-0.json")
[ "$status" = 304 ] || { echo "registry-serving: expected 304 for a matching ETag, got $status"; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$WORKER/stat"; }
HZ=$(getconf CLK_TCK)
run() { # name lua → prints "name requests rps cpu_s rps_per_core"
  local before after out requests
  before=$(cpu_ticks)
  out=$(taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$2" "http://127.0.0.1:$PORT/" 2>&1)
  after=$(cpu_ticks)
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  grep -q "Non-2xx or 3xx" <<<"$out" && { echo "registry-serving: errors during $1:"; echo "$out"; exit 1; }
  python3 - "$1" "$requests" "$DURATION" "$before" "$after" "$HZ" <<'PY'
import sys
name, req, dur, b, a, hz = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
cpu = max((a - b) / hz, 1 / hz)
print(f"{name} {req} {req / dur:.0f} {cpu:.2f} {req / cpu:.0f}")
PY
}
full=$(run full-GET "$S/full.lua")
cond=$(run conditional-GET-304 "$S/cond.lua")
python3 - "$full" "$cond" <<'PY'
import sys
rows = [l.split() for l in sys.argv[1:]]
print(f"{'request':22} {'requests':>9} {'req/s':>8} {'nginx CPU s':>11} {'req per nginx core-second':>26}")
for name, req, rps, cpu, per in rows:
    print(f"{name:22} {int(req):9} {int(rps):8} {float(cpu):11.2f} {int(per):26}")
full_core, cond_core = int(rows[0][4]), int(rows[1][4])
poll = 60
print()
print(f"one nginx core answers {cond_core:,} polls/s that find nothing new (304): at one poll per host every {poll} s")
print(f"(60 s ± 15 s averages to 60 s), that is {cond_core * poll:,} hosts per core; a change that reaches")
print(f"every host costs one full GET each: {full_core:,}/s per core.")
fleet = 100_000
need_304 = fleet / poll / cond_core
print(f"100,000 hosts: {fleet / poll:,.0f} polls/s = {need_304:.3f} core; a fleet-wide change re-fetched within one poll")
print(f"interval: {fleet / poll:,.0f} full GETs/s = {fleet / poll / full_core:.3f} core (plus the .sig beside each, same size order).")
PY
