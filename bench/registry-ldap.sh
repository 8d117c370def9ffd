#!/usr/bin/env bash
# Registry side, LDAP source: a private slapd (its own slapd.conf and mdb database in a temp directory,
# run as the current user on a free loopback port) holding PEOPLE people with one to three keys each
# (inetOrgPerson + ldapPublicKey) and GROUPS groups (groupOfNames, groupOfUniqueNames, posixGroup);
# a source tree whose rules grant those groups on HOSTS hosts, plus a few file people. Measures, each as
# its own process (wall, CPU, peak RSS): the raw paged ldapsearch (baseline), validate, a full build, a
# no-change rebuild; then the directory unreachable (slapd stopped) and hung (slapd SIGSTOPped: TCP
# connects, nothing answers) with and without --keep-last-on-source-error: exit code, message, time to fail.
# Usage: bench/registry-ldap.sh [PEOPLE] [GROUPS] [HOSTS]   (default 2000 50 500); KEEP=1 keeps the sandbox;
# K=path/to/keyagentd to measure another build (default out/bin/keyagentd from `make publish`).
set -euo pipefail
cd "$(dirname "$0")/.."
K=${K:-$PWD/out/bin/keyagentd-registry}
PEOPLE=${1:-2000}; GROUPS_N=${2:-50}; HOSTS=${3:-500}
[ -x "$K" ] || { echo "skip: $K missing (run make publish)"; exit 0; }
SLAPD=/usr/sbin/slapd
[ -x "$SLAPD" ] && command -v ldapsearch >/dev/null || { echo "skip: slapd or ldap-utils missing (apt-get install -y slapd ldap-utils)"; exit 0; }
S=$(mktemp -d /var/tmp/keyagentd-ldapbench-XXXXXX)
SLAPD_PID=
cleanup() {
  if [ -n "$SLAPD_PID" ]; then kill -CONT "$SLAPD_PID" 2>/dev/null || true; kill "$SLAPD_PID" 2>/dev/null || true; wait "$SLAPD_PID" 2>/dev/null || true; fi
  [ -n "${KEEP:-}" ] || rm -rf "$S"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SUFFIX=dc=example,dc=org
mkdir -p "$S/db" "$S/src/people"
cat > "$S/openssh-lpk.schema" <<'SCHEMA'
attributetype ( 1.3.6.1.4.1.24552.500.1.1.1.13 NAME 'sshPublicKey'
  DESC 'MANDATORY: OpenSSH Public key' EQUALITY octetStringMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )
objectclass ( 1.3.6.1.4.1.24552.500.1.1.2.0 NAME 'ldapPublicKey' SUP top AUXILIARY
  DESC 'MANDATORY: OpenSSH LPK objectclass' MAY ( sshPublicKey $ uid ) )
SCHEMA
cat > "$S/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include $S/openssh-lpk.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $S/slapd.pid
sizelimit size.soft=500 size.hard=500 size.prtotal=unlimited
database mdb
maxsize 1073741824
suffix "$SUFFIX"
rootdn "cn=admin,$SUFFIX"
rootpw admin-secret
directory $S/db
index uid,cn eq
index objectClass eq
CONF
printf reader-secret > "$S/bind.pw"; chmod 600 "$S/bind.pw"   # no newline: ldapsearch -y takes the whole file

python3 - "$S" "$PEOPLE" "$GROUPS_N" "$HOSTS" <<'PY'
import base64, os, random, struct, sys
root, n_people, n_groups, n_hosts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(20261130)
suffix = "dc=example,dc=org"
def s(b): return struct.pack(">I", len(b)) + b
def key(comment):  # Ed25519 public keys are any 32 bytes: distinct keys without ssh-keygen.
    return "ssh-ed25519 " + base64.b64encode(s(b"ssh-ed25519") + s(rng.randbytes(32))).decode() + " " + comment
out = [f"dn: {suffix}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n",
       f"dn: ou=people,{suffix}\nobjectClass: organizationalUnit\nou: people\n",
       f"dn: ou=groups,{suffix}\nobjectClass: organizationalUnit\nou: groups\n",
       f"dn: cn=reader,{suffix}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: reader-secret\n"]
uids = [f"u{i:05d}" for i in range(n_people)]
keys = 0
for uid in uids:
    n = rng.choice([1, 1, 2, 2, 3])
    keys += n
    out.append(f"dn: uid={uid},ou=people,{suffix}\nobjectClass: inetOrgPerson\nobjectClass: ldapPublicKey\nuid: {uid}\ncn: {uid}\nsn: {uid}\n"
               + "".join(f"sshPublicKey: {key(uid + '@' + l)}\n" for l in ["laptop", "desk", "yubikey"][:n]))
groups = []
for g in range(n_groups):
    members = rng.sample(uids, 40)
    name = f"team{g:02d}"
    groups.append(name)
    kind = g % 5
    if kind < 3:
        out.append(f"dn: cn={name},ou=groups,{suffix}\nobjectClass: groupOfNames\ncn: {name}\n" + "".join(f"member: uid={m},ou=people,{suffix}\n" for m in members))
    elif kind == 3:
        out.append(f"dn: cn={name},ou=groups,{suffix}\nobjectClass: groupOfUniqueNames\ncn: {name}\n" + "".join(f"uniqueMember: uid={m},ou=people,{suffix}\n" for m in members))
    else:
        out.append(f"dn: cn={name},ou=groups,{suffix}\nobjectClass: posixGroup\ncn: {name}\ngidNumber: {5000 + g}\n" + "".join(f"memberUid: {m}\n" for m in members))
open(f"{root}/directory.ldif", "w").write("\n".join(out))
open(f"{root}/counts", "w").write(f"{keys}\n")
src = f"{root}/src"
for p in ("alice@example.com", "bob@example.com"):
    open(f"{src}/people/{p}.keys", "w").write(key(p) + "\n")
roles = [f"svc{i:02d}" for i in range(25)]
with open(f"{src}/hosts.yaml", "w") as f:
    for i in range(n_hosts):
        f.write(f"h{i:04d}.example.com: {{ role: {roles[i % 25]}, env: {'prod' if i % 4 else 'dev'} }}\n")
open(f"{src}/groups.yaml", "w").write("sre: [alice@example.com, bob@example.com]\n")
rules = ['  - hosts: ["*"]\n    accounts: [root]\n    groups: [sre, ldap-team00]\n']
for i, r in enumerate(roles):
    rules.append(f"  - labels: {{ role: {r} }}\n    accounts: [deploy]\n    groups: [ldap-{groups[(2 * i + 1) % n_groups]}, ldap-{groups[(2 * i + 2) % n_groups]}]\n")
rules.append("  - labels: { env: dev }\n    accounts: [dev]\n    groups: [" + ", ".join(f"ldap-{g}" for g in groups[-10:]) + "]\n")
open(f"{src}/access.yaml", "w").write("rules:\n" + "".join(rules))
PY
cat > "$S/src/sources.yaml" <<YAML
ldap:
  url: ldap://127.0.0.1:$port
  bind_dn: cn=reader,$SUFFIX
  bind_password_file: $S/bind.pw
  people: { base_dn: "ou=people,$SUFFIX" }
  groups: { base_dn: "ou=groups,$SUFFIX", name_prefix: "ldap-" }
  page_size: 500
  timeout: 10
YAML

/usr/sbin/slapadd -q -f "$S/slapd.conf" -l "$S/directory.ldif"
start_slapd() {
  "$SLAPD" -f "$S/slapd.conf" -h "ldap://127.0.0.1:$port/" -d 0 >"$S/slapd.log" 2>&1 &
  SLAPD_PID=$!
  for _ in $(seq 100); do ldapsearch -x -H "ldap://127.0.0.1:$port" -b "" -s base >/dev/null 2>&1 && return; sleep 0.1; done
  echo "slapd did not start: $(cat "$S/slapd.log")" >&2; exit 1
}
start_slapd

# Wall time, CPU (user+sys), peak RSS of one child process, via getrusage(RUSAGE_CHILDREN).
measure() { # label command...
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
label, cmd = sys.argv[1], sys.argv[2:]
t = time.monotonic()
p = subprocess.run(cmd, capture_output=True, text=True)
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{label:<34} wall {wall:7.2f}s  cpu {ru.ru_utime + ru.ru_stime:6.2f}s  peak RSS {ru.ru_maxrss // 1024:4d} MiB  exit {p.returncode}")
lines = [l for l in (p.stdout + p.stderr).splitlines() if l.strip()]
shown = [l for l in lines if "ldap-unavailable" in l] or lines[-1:]
for l in shown[:2]: print(f"{'':<34} {l[:220]}")
PY
}

echo "registry-ldap: $PEOPLE LDAP people, $(cat "$S/counts") keys, $GROUPS_N LDAP groups, $HOSTS hosts, $(grep -c '^  - ' "$S/src/access.yaml") rules (sandbox $S; load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores)"
OUT=$S/out
measure "ldapsearch people, paged (baseline)" sh -c "ldapsearch -x -H ldap://127.0.0.1:$port -D cn=reader,$SUFFIX -y $S/bind.pw -b ou=people,$SUFFIX -E pr=500/noprompt -LLL '(objectClass=ldapPublicKey)' uid sshPublicKey | grep -c '^dn:'"
measure "validate" "$K" validate "$S/src"
measure "full build" "$K" build "$S/src" --out "$OUT" --state-dir "$S/state"
echo "$(du -sh "$OUT" | cut -f1) in $(ls "$OUT" | grep -c '\.json$') documents"
measure "no-change rebuild" "$K" build "$S/src" --out "$OUT" --state-dir "$S/state"

kill -STOP "$SLAPD_PID"
measure "slapd hung: build" "$K" build "$S/src" --out "$OUT" --state-dir "$S/state"
measure "slapd hung: build --keep-last" "$K" build "$S/src" --out "$OUT" --state-dir "$S/state" --keep-last-on-source-error
kill -CONT "$SLAPD_PID"; kill "$SLAPD_PID"; wait "$SLAPD_PID" 2>/dev/null || true; SLAPD_PID=
measure "slapd stopped: build" "$K" build "$S/src" --out "$OUT" --state-dir "$S/state"
measure "slapd stopped: build --keep-last" "$K" build "$S/src" --out "$OUT" --state-dir "$S/state" --keep-last-on-source-error
