#!/usr/bin/env bash
# The `.keys` URL source at scale, and what a build does when that source is down. Real nginx on
# 127.0.0.1 serves PEOPLE `<user>.keys` files (one to three keys each, as GitHub or GitLab would);
# sources.yaml names every person through its keys_url_template. Each step is its own process
# (wall, CPU, peak RSS, exit code, last line):
#   build with the source up; a no-change rebuild;
#   nginx stopped (connection refused): the build fails, and the output is left as it was;
#   the same with --keep-last-on-source-error: the previous keys are reused, with a warning per person;
#   a black hole (a listener that accepts and never answers): how long the per-attempt timeout,
#     the retries and the circuit breaker take to give up on 2,000 people.
# Usage: bench/registry-keys-url.sh [PEOPLE]   (default 2000); KEEP=1 keeps the sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
K=$PWD/out/bin/keyagentd-registry
PEOPLE=${1:-2000}
[ -x "$K" ] || { echo "skip: $K missing (run make publish)"; exit 0; }
command -v nginx >/dev/null || { echo "registry-keys-url: nginx not installed, skipped"; exit 0; }
S=$(mktemp -d /var/tmp/keyagentd-keysurl-XXXXXX)
chmod 755 "$S"
NGINX_PID= HOLE_PID=
cleanup() {
  for pid in $NGINX_PID $HOLE_PID; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$S"
}
trap cleanup EXIT
mkdir -p "$S/www" "$S/nginx/logs" "$S/nginx/tmp" "$S/src"
chmod 755 "$S/www"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

python3 - "$S" "$PEOPLE" "$PORT" <<'PY'
import base64, os, random, struct, sys
s, n, port = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(20261130)
def b(x): return struct.pack(">I", len(x)) + x
def key(comment):  # Ed25519 public keys are any 32 bytes: distinct keys without ssh-keygen.
    return "ssh-ed25519 " + base64.b64encode(b(b"ssh-ed25519") + b(rng.randbytes(32))).decode() + " " + comment
users = [f"user{i:04d}" for i in range(n)]
for u in users:
    with open(f"{s}/www/{u}.keys", "w") as f:
        f.write("".join(key(f"{u}-{k}") + "\n" for k in range(rng.randint(1, 3))))
people = [f"{u}@example.com" for u in users]
src = f"{s}/src"
with open(f"{src}/sources.yaml", "w") as f:
    f.write(f'keys_url_template: "http://127.0.0.1:{port}/{{user}}.keys"\npeople:\n')
    f.writelines(f"  {p}: {u}\n" for p, u in zip(people, users))
with open(f"{src}/groups.yaml", "w") as f:
    f.write("everyone:\n  people:\n" + "".join(f"    - {p}\n" for p in people))
with open(f"{src}/hosts.yaml", "w") as f:
    f.writelines(f"h{i:02d}.example.com: {{ env: prod }}\n" for i in range(10))
with open(f"{src}/access.yaml", "w") as f:
    f.write('rules:\n  - hosts: ["*"]\n    accounts: [dev]\n    groups: [everyone]\n')
PY

cat > "$S/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $S/nginx/nginx.pid;
error_log $S/nginx/logs/error.log;
daemon off;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $S/nginx/tmp; proxy_temp_path $S/nginx/tmp; fastcgi_temp_path $S/nginx/tmp;
  uwsgi_temp_path $S/nginx/tmp; scgi_temp_path $S/nginx/tmp;
  server { listen 127.0.0.1:$PORT; root $S/www; default_type text/plain; }
}
CONF
start_nginx() {
  nginx -p "$S/nginx" -c "$S/nginx/nginx.conf" &
  NGINX_PID=$!
  for _ in $(seq 50); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null && return; sleep 0.1; done
  echo "nginx did not start"; cat "$S/nginx/logs/error.log"; exit 1
}
stop_nginx() { kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=; }

measure() { # label command...
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
label, cmd = sys.argv[1], sys.argv[2:]
t = time.monotonic()
p = subprocess.run(cmd, capture_output=True, text=True)
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
err = p.stderr.strip().splitlines()
warnings = sum("warning" in l for l in err)
print(f"{label:<34} wall {wall:7.2f}s  cpu {ru.ru_utime + ru.ru_stime:6.2f}s  peak RSS {ru.ru_maxrss // 1024:4d} MiB  exit {p.returncode}  stderr lines {len(err)} ({warnings} warnings)")
last = (p.stdout.strip().splitlines() or [""])[-1]
if last: print(f"{'':<34} stdout: {last[:150]}")
if err: print(f"{'':<34} stderr: {err[0][:150]}")
PY
}
snapshot() { find "$S/out" -type f -name '*.json' ! -name '.*' -exec sha256sum {} + 2>/dev/null | sort | sha256sum | cut -c1-16; }  # the published documents

echo "registry-keys-url: $PEOPLE people, $(cat "$S"/www/*.keys | wc -l) keys at http://127.0.0.1:$PORT/<user>.keys (real nginx), 10 hosts (load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores)"
start_nginx
measure "build, source up" "$K" build "$S/src" --out "$S/out" --state-dir "$S/state"
measure "no-change rebuild" "$K" build "$S/src" --out "$S/out" --state-dir "$S/state"
before=$(snapshot)
stop_nginx
measure "source down (refused)" "$K" build "$S/src" --out "$S/out" --state-dir "$S/state"
echo "$(printf '%-34s' '') output unchanged: $([ "$(snapshot)" = "$before" ] && echo yes || echo NO)"
measure "source down, keep last" "$K" build "$S/src" --out "$S/out" --state-dir "$S/state" --keep-last-on-source-error
echo "$(printf '%-34s' '') output unchanged: $([ "$(snapshot)" = "$before" ] && echo yes || echo NO)"
# A black hole: accepts connections and never answers.
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $PORT)); s.listen(4096)
held = []
while True:
    c, _ = s.accept(); held.append(c)
" &
HOLE_PID=$!
sleep 0.3
echo '{"Registry": {"Timeout": "2s"}}' > "$S/policy.json"
measure "black hole (Timeout 2 s)" "$K" --policy "$S/policy.json" build "$S/src" --out "$S/out" --state-dir "$S/state" --keep-last-on-source-error
echo "$(printf '%-34s' '') output unchanged: $([ "$(snapshot)" = "$before" ] && echo yes || echo NO)"
