# Shared by the scripts that kill a sync part-way (sourced, not run): a sandbox world of $accounts
# accounts (passwd file, current uid, homes under a root-owned 0755 dir in /var/tmp) and registry v1
# then v2 with different keys. Their renderings are recorded from clean runs in $S/expect/v1 and v2;
# $max_ms is 1.2× the time the clean v1→v2 sync took (at least 50 ms). Leaves the world at v2.
# Needs: $K (out/bin/keyagentd), $accounts. Defines: S, ka_sync, reset_v1, sync_pid, max_ms.
S=$(mktemp -d /var/tmp/keyagentd-sync-world-XXXXXX)
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
if cmp -s "$S/expect/v1/u0000" "$S/expect/v2/u0000"; then echo "FAIL: v1 and v2 render the same"; exit 1; fi

