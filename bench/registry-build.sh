#!/usr/bin/env bash
# Registry side at scale: a generated source of HOSTS hosts, PEOPLE people (2-3 keys each), GROUPS groups
# (nine tenths teams of ~11 people, one tenth umbrella groups over nine teams each) and realistic rules
# (per-role deploy teams, per-env on-call root, dev access, a fleet-wide root group, host-specific grants).
# Measures, each as its own process (wall, CPU, peak RSS, and the build's own --timings per stage):
#   validate; full build + sign (ssh-agent, in process), and with the private key file (no agent: an
#   unencrypted Ed25519 key signs in process); the same documents signed by
#   `ssh-keygen -Y sign` (one batch run) and by `registry sign --key FILE` (which drives ssh-keygen),
#   and `registry sign --source` (every document rebuilt in memory and compared before signing);
#   a no-change rebuild; an incremental rebuild + sign after one person's key changes; and the
#   publish cost of a change to the group every host grants (documents rewritten, bytes, signing time).
# BASELINE=path/to/previous/keyagentd-registry runs the previous binary on the same source in the same
# run (full build and incremental), so each figure has its baseline beside it.
# Then, unless LARGE=0, the same at 100,000 hosts / 20,000 people / 2,000 groups (the sign-only
# baselines skipped: ~9 GB of documents), generated here, removed afterwards.
# SIGN_BASELINES=0 skips the sign-only baselines (ssh-keygen, `registry sign`).
# Targets: 10,000 hosts: full build + sign <= 10 s, incremental <= 2 s; 100,000 hosts: full <= 60 s
# and <= 1 GB peak, incremental <= 2 s.
# Usage: bench/registry-build.sh [HOSTS] [PEOPLE] [GROUPS]   (default 10000 2000 200); KEEP=1 keeps the sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
K=${K:-$PWD/out/bin/keyagentd-registry}
HOSTS=${1:-10000}; PEOPLE=${2:-2000}; NGROUPS=${3:-200}
[ "$NGROUPS" -ge 200 ] || { echo "GROUPS must be at least 200 (50 roles use three teams each)"; exit 2; }
LARGE=${LARGE:-1}
[ -x "$K" ] || { echo "skip: $K missing (run make publish)"; exit 0; }
command -v ssh-agent >/dev/null || { echo "skip: ssh-agent missing"; exit 0; }
S=$(mktemp -d /var/tmp/keyagentd-regbench-XXXXXX)
cleanup() { [ -n "${SSH_AGENT_PID:-}" ] && kill "$SSH_AGENT_PID" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$S"; }
trap cleanup EXIT
BIG=$(( HOSTS > 20000 ? 1 : 0 ))

python3 - "$S/src" "$HOSTS" "$PEOPLE" "$NGROUPS" <<'PY'
import base64, os, random, struct, sys
root, n_hosts, n_people, n_groups = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
n_teams, n_areas = n_groups * 9 // 10, n_groups - n_groups * 9 // 10
rng = random.Random(20261130)
def s(b): return struct.pack(">I", len(b)) + b
def key(comment):  # Ed25519 public keys are any 32 bytes: distinct keys without ssh-keygen.
    return "ssh-ed25519 " + base64.b64encode(s(b"ssh-ed25519") + s(rng.randbytes(32))).decode() + " " + comment
os.makedirs(f"{root}/people")
people = [f"p{i:04d}@example.com" for i in range(n_people)]
for p in people:
    with open(f"{root}/people/{p}.keys", "w") as f:
        f.write(f"# {p}\n")
        for j in range(rng.choice([2, 2, 3])):
            label = ["laptop", "desktop", "yubikey"][j]
            f.write(key(f"{p.split('@')[0]}@{label}") + (f" # label={label}" + (" not_after=2031-01-01" if j == 2 else "")) + "\n")
roles = [f"svc{i:02d}" for i in range(50)]
envs = ["prod"] * 7 + ["staging"] * 2 + ["dev"]
dcs = ["fra1", "ams1", "lon1", "nyc1", "sfo1"]
with open(f"{root}/hosts.yaml", "w") as f:
    for i in range(n_hosts):
        dc = dcs[i % 5]
        f.write(f"h{i:05d}.{dc}.example.com: {{ env: {rng.choice(envs)}, role: {roles[i % 50]}, dc: {dc} }}\n")
# Teams of ~PEOPLE/teams people, umbrella groups over 9 teams each (nested); team000/001 are root everywhere.
teams = [f"team{i:04d}" if n_teams > 1000 else f"team{i:03d}" for i in range(n_teams)]
shuffled = people[:]; rng.shuffle(shuffled)
with open(f"{root}/groups.yaml", "w") as f:
    for i, t in enumerate(teams):
        members = shuffled[i * len(people) // n_teams:(i + 1) * len(people) // n_teams]
        f.write(f"{t}:\n  people: [{', '.join(members)}]\n")
    for i in range(n_areas):
        f.write(f"area{i:03d}:\n  groups: [{', '.join(teams[(i * 9) % n_teams:(i * 9) % n_teams + 9])}]\n")
rules = []
rules.append(f'  - hosts: ["*"]\n    accounts: [root]\n    groups: [{teams[0]}, {teams[1]}]\n    options: no-agent-forwarding\n')
for i, r in enumerate(roles):
    rules.append(f'  - labels: {{ role: {r} }}\n    accounts: [deploy, {r}]\n    groups: [{teams[2 + 3 * i]}, {teams[3 + 3 * i]}]\n    options: \'from="10.0.0.0/8"\'\n')
    rules.append(f'  - labels: {{ role: {r}, env: prod }}\n    accounts: [root]\n    groups: [{teams[4 + 3 * i]}]\n    options: no-agent-forwarding\n')
for e, area in (("dev", f"area{n_areas - 3:03d}"), ("staging", f"area{n_areas - 2:03d}")):
    rules.append(f'  - labels: {{ env: {e} }}\n    accounts: [dev]\n    groups: [{area}]\n')
for dc in dcs:
    rules.append(f'  - hosts: ["*.{dc}.example.com"]\n    accounts: [ops]\n    groups: [area{n_areas - 1:03d}]\n    keys:\n      - {{ key: {key("ci@" + dc)}, owner: ci, label: ci-{dc} }}\n')
for i in range(max(200, n_hosts // 50)):
    rules.append(f'  - hosts: ["h{rng.randrange(n_hosts // 10):04d}*"]\n    accounts: [debug]\n    people: [{rng.choice(people)}]\n    not_after: 2031-06-30\n')
with open(f"{root}/access.yaml", "w") as f:
    f.write("rules:\n" + "".join(rules))
PY

ssh-keygen -q -t ed25519 -N '' -C registry-signer -f "$S/signer"
eval "$(ssh-agent -s)" >/dev/null
ssh-add -q "$S/signer"
OUT=$S/out

# Wall time, CPU (user+sys), peak RSS of one child process, via getrusage(RUSAGE_CHILDREN).
# Wall time, CPU (user+sys), peak RSS of one child process, via getrusage(RUSAGE_CHILDREN); its stdout lines.
# TARGET is "-", SECONDS, or SECONDS/MIB (a peak RSS target too).
measure() { # label target command...
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
label, target, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
t = time.monotonic()
p = subprocess.run(cmd, capture_output=True, text=True)
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
peak = ru.ru_maxrss // 1024
verdict = ""
if target != "-":
    seconds, _, mib = target.partition("/")
    ok = wall <= float(seconds) and p.returncode == 0 and (not mib or peak <= int(mib))
    verdict = f" (target <= {seconds}s{' and ' + mib + ' MiB' if mib else ''}: {'met' if ok else 'MISSED'})"
print(f"{label:<30} wall {wall:7.2f}s  cpu {ru.ru_utime + ru.ru_stime:6.2f}s  peak RSS {peak:5d} MiB  exit {p.returncode}{verdict}")
for line in (p.stdout.strip().splitlines() or p.stderr.strip().splitlines()[-1:])[:4]:
    print(f"{'':<30} {line[:200]}")
if p.returncode != 0: sys.stderr.write(p.stderr[-2000:])
PY
}

keys=$(cat "$S"/src/people/*.keys | grep -c '^ssh-')
echo "registry-build: $HOSTS hosts, $PEOPLE people, $keys keys, $NGROUPS groups, $(grep -c '^  - ' "$S/src/access.yaml") rules (sandbox $S; load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores)"
measure "validate" - "$K" validate "$S/src"
# The floor of signing through the agent: ssh-agent's own time per Ed25519 signature (it is one
# single-threaded process), 2,000 requests one at a time and 64 in flight, its CPU read from /proc.
python3 - "$S/signer.pub" <<'PY'
import base64, os, socket, struct, sys, time
s = lambda b: struct.pack(">I", len(b)) + b
blob = base64.b64decode(open(sys.argv[1]).read().split()[1])
frame = s(bytes([13]) + s(blob) + s(b"SSHSIG" + s(b"keyagentd-registry") + s(b"") + s(b"sha512") + s(os.urandom(64))) + struct.pack(">I", 0))
sock = socket.socket(socket.AF_UNIX); sock.connect(os.environ["SSH_AUTH_SOCK"])
pid = os.environ["SSH_AGENT_PID"]
def cpu():
    f = open(f"/proc/{pid}/stat").read().split(); return (int(f[13]) + int(f[14])) / os.sysconf("SC_CLK_TCK")
def exactly(n):
    b = b""
    while len(b) < n: b += sock.recv(n - len(b))
    return b
n, row = 2000, []
for window in (1, 64):
    c, t, sent = cpu(), time.monotonic(), 0
    for r in range(n):
        burst = b""
        while sent < n and sent - r < window: burst += frame; sent += 1
        if burst: sock.sendall(burst)
        assert exactly(struct.unpack(">I", exactly(4))[0])[0] == 14
    row.append(f"{window} in flight {(time.monotonic() - t) / n * 1e6:.0f} us wall, {(cpu() - c) / n * 1e6:.0f} us agent CPU")
print(f"{'ssh-agent signing floor':<30} per signature: " + "; ".join(row))
PY
full_target=$( [ "$BIG" = 1 ] && echo 60/1024 || echo 10 )
if [ -n "${BASELINE:-}" ] && [ -x "$BASELINE" ]; then
  measure "previous binary: full" - "$BASELINE" build "$S/src" --out "$S/out-prev" --state-dir "$S/state-prev" --sign-key "$S/signer.pub"
fi
measure "full build + sign (agent)" "$full_target" "$K" build "$S/src" --out "$OUT" --state-dir "$S/state" --sign-key "$S/signer.pub" --timings
echo "$(du -sh "$OUT" | cut -f1) in $(ls "$OUT" | grep -c '\.json$') documents"
# The same build signed with the private key file itself (no agent): an unencrypted Ed25519 key signs in process
# (above 20,000 hosts only with FILE_BUILD=1: another ~9 GB written).
if [ -n "${BASELINE:-}" ] && [ -x "$BASELINE" ]; then
  measure "previous binary: full, key file" - env SSH_AUTH_SOCK= "$BASELINE" build "$S/src" --out "$S/out-file-prev" --state-dir "$S/state-file-prev" --sign-key "$S/signer" --timings
  rm -rf "$S/out-file-prev"
fi
if [ "$BIG" = 0 ] || [ "${FILE_BUILD:-0}" != 0 ]; then
  measure "full build + sign (key file)" "$full_target" env SSH_AUTH_SOCK= "$K" build "$S/src" --out "$S/out-file" --state-dir "$S/state-file" --sign-key "$S/signer" --timings
  rm -rf "$S/out-file"
fi
if [ "$BIG" = 0 ] && [ "${SIGN_BASELINES:-1}" != 0 ]; then
  # The baseline: the same documents signed by ssh-keygen itself (copies, so no .sig exists yet), 1,000 per run.
  mkdir "$S/kg"; find "$OUT" -maxdepth 1 -name '*.json' -exec cp -t "$S/kg" {} +
  measure "ssh-keygen -Y sign (baseline)" - sh -c "find '$S/kg' -name '*.json' -print0 | SSH_AUTH_SOCK= xargs -0 -n 1000 ssh-keygen -Y sign -q -f '$S/signer' -n keyagentd-registry && echo \"\$(find '$S/kg' -name '*.json.sig' | wc -l) signatures\""
  rm -rf "$S/kg"
  # sign checks every signature a document already carries (the build's) against allowed_signers, then re-signs.
  echo "bench@example.com namespaces=\"keyagentd-registry\" $(cat "$S/signer.pub")" > "$S/allowed_signers"
  measure "registry sign --key FILE" - env SSH_AUTH_SOCK= "$K" sign "$OUT" --key "$S/signer" --allowed-signers "$S/allowed_signers"
  measure "registry sign (agent)" - "$K" sign "$OUT" --key "$S/signer.pub" --allowed-signers "$S/allowed_signers"
  measure "registry sign --source (agent)" - "$K" sign "$OUT" --key "$S/signer.pub" --allowed-signers "$S/allowed_signers" --source "$S/src"
fi
measure "no-change rebuild + sign" - "$K" build "$S/src" --out "$OUT" --state-dir "$S/state" --sign-key "$S/signer.pub" --timings
# One person's key changes: only the documents of hosts that grant that person move.
# The 700th person, or the middle one of a smaller source (sed prints nothing past the last line).
victim=$(ls "$S/src/people" | sed -n "$(( PEOPLE > 700 ? 700 : PEOPLE / 2 + 1 ))p")
# Above 20,000 hosts most people are in no granted group: take the first member of the third team
# (svc00's deploy team), whose key reaches every svc00 host.
if [ "$BIG" = 1 ]; then
  victim=$(sed -n '/^team0*2:$/{n;p;q}' "$S/src/groups.yaml" | sed 's/.*\[\([^,]*\),.*/\1/').keys
fi
python3 - "$S/src/people/$victim" <<'PY'
import base64, os, struct, sys
s = lambda b: struct.pack(">I", len(b)) + b
path = sys.argv[1]; lines = open(path).read().splitlines()
lines[1] = "ssh-ed25519 " + base64.b64encode(s(b"ssh-ed25519") + s(os.urandom(32))).decode() + " rotated # label=laptop"
open(path, "w").write("\n".join(lines) + "\n")
PY
touched=$( (grep -rl --include='*.json' "${victim%.keys}" "$OUT" || true) | wc -l)
if [ -n "${BASELINE:-}" ] && [ -x "$BASELINE" ]; then
  measure "previous binary: incremental" - "$BASELINE" build "$S/src" --out "$S/out-prev" --state-dir "$S/state-prev" --sign-key "$S/signer.pub"
  rm -rf "$S/out-prev"
fi
measure "incremental build + sign" 2 "$K" build "$S/src" --out "$OUT" --state-dir "$S/state" --sign-key "$S/signer.pub" --timings
echo "(${victim%.keys} appears in $touched documents before the change)"
# A change everywhere: a person joins the group every host grants root to. Every document is rewritten and signed.
python3 - "$S/src/groups.yaml" <<'PY'
import sys
path = sys.argv[1]; text = open(path).read()
head, rest = text.split("]", 1)
open(path, "w").write(head + ", p0000@example.com]" + rest)
PY
measure "a group on every host" - "$K" build "$S/src" --out "$OUT" --state-dir "$S/state" --sign-key "$S/signer.pub" --timings
echo "$(du -sb "$OUT" | cut -f1) bytes published in $(ls "$OUT" | grep -c '\.json$') documents and signatures"
if [ "$BIG" = 0 ] && [ "$LARGE" != 0 ] && [ "$HOSTS" = 10000 ]; then
  cleanup; trap - EXIT; unset SSH_AGENT_PID
  echo
  LARGE=0 bash "$0" 100000 20000 2000
fi
