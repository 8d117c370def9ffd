#!/usr/bin/env bash
# Registry side at scale: a generated source of HOSTS hosts, PEOPLE people (2-3 keys each), 200 groups
# (nested) and realistic rules (per-role deploy teams, per-env on-call root, dev access, a fleet-wide
# SRE group, host-specific grants). Measures, each as its own process (wall, CPU, peak RSS):
#   validate; full build + sign (ssh-agent, in process); the same documents signed by
#   `ssh-keygen -Y sign` (one batch run) and by `registry sign --key FILE` (which drives ssh-keygen),
#   and `registry sign --source` (every document rebuilt in memory and compared before signing);
#   a no-change rebuild; an incremental rebuild + sign after one person's key changes.
# Targets: full build + sign < 60 s, incremental < 10 s on this 2-core machine.
# Usage: bench/registry-build.sh [HOSTS] [PEOPLE]   (default 10000 2000); KEEP=1 keeps the sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
K=$PWD/out/bin/keyagentd-registry
HOSTS=${1:-10000}; PEOPLE=${2:-2000}
[ -x "$K" ] || { echo "skip: $K missing (run make publish)"; exit 0; }
command -v ssh-agent >/dev/null || { echo "skip: ssh-agent missing"; exit 0; }
S=$(mktemp -d /var/tmp/keyagentd-regbench-XXXXXX)
cleanup() { [ -n "${SSH_AGENT_PID:-}" ] && kill "$SSH_AGENT_PID" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$S"; }
trap cleanup EXIT

python3 - "$S/src" "$HOSTS" "$PEOPLE" <<'PY'
import base64, os, random, struct, sys
root, n_hosts, n_people = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
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
# 180 teams of ~11 people, 20 umbrella groups over 9 teams each (nested), one of them SRE.
teams = [f"team{i:03d}" for i in range(180)]
shuffled = people[:]; rng.shuffle(shuffled)
with open(f"{root}/groups.yaml", "w") as f:
    for i, t in enumerate(teams):
        members = shuffled[i * len(people) // 180:(i + 1) * len(people) // 180]
        f.write(f"{t}:\n  people: [{', '.join(members)}]\n")
    for i in range(20):
        f.write(f"area{i:02d}:\n  groups: [{', '.join(teams[i * 9:(i + 1) * 9])}]\n")
rules = []
rules.append('  - hosts: ["*"]\n    accounts: [root]\n    groups: [team000, team001]\n    options: no-agent-forwarding\n')
for i, r in enumerate(roles):
    rules.append(f'  - labels: {{ role: {r} }}\n    accounts: [deploy, {r}]\n    groups: [{teams[2 + 3 * i]}, {teams[3 + 3 * i]}]\n    options: \'from="10.0.0.0/8"\'\n')
    rules.append(f'  - labels: {{ role: {r}, env: prod }}\n    accounts: [root]\n    groups: [{teams[4 + 3 * i]}]\n    options: no-agent-forwarding\n')
for e, area in (("dev", "area17"), ("staging", "area18")):
    rules.append(f'  - labels: {{ env: {e} }}\n    accounts: [dev]\n    groups: [{area}]\n')
for dc in dcs:
    rules.append(f'  - hosts: ["*.{dc}.example.com"]\n    accounts: [ops]\n    groups: [area19]\n    keys:\n      - {{ key: {key("ci@" + dc)}, owner: ci, label: ci-{dc} }}\n')
for i in range(200):
    rules.append(f'  - hosts: ["h{rng.randrange(n_hosts // 10):04d}*"]\n    accounts: [debug]\n    people: [{rng.choice(people)}]\n    not_after: 2031-06-30\n')
with open(f"{root}/access.yaml", "w") as f:
    f.write("rules:\n" + "".join(rules))
PY

ssh-keygen -q -t ed25519 -N '' -C registry-signer -f "$S/signer"
eval "$(ssh-agent -s)" >/dev/null
ssh-add -q "$S/signer"
OUT=$S/out

# Wall time, CPU (user+sys), peak RSS of one child process, via getrusage(RUSAGE_CHILDREN).
measure() { # label target|- command...
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
label, target, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
t = time.monotonic()
p = subprocess.run(cmd, capture_output=True, text=True)
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
verdict = "" if target == "-" else f" (target < {target}s: {'ok' if wall < float(target) and p.returncode == 0 else 'MISSED'})"
print(f"{label:<28} wall {wall:7.2f}s{verdict}  cpu {ru.ru_utime + ru.ru_stime:6.2f}s  peak RSS {ru.ru_maxrss // 1024:4d} MiB  exit {p.returncode}")
last = (p.stdout.strip().splitlines() or p.stderr.strip().splitlines() or [""])[-1]
if last: print(f"{'':<28} {last[:160]}")
if p.returncode not in (0,): sys.stderr.write(p.stderr[-2000:])
PY
}

keys=$(cat "$S"/src/people/*.keys | grep -c '^ssh-')
echo "registry-build: $HOSTS hosts, $PEOPLE people, $keys keys, 200 groups, $(grep -c '^  - ' "$S/src/access.yaml") rules (sandbox $S; load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores)"
measure "validate" - "$K" validate "$S/src"
measure "full build + sign (agent)" 60 "$K" build "$S/src" --out "$OUT" --state-dir "$S/state" --sign-key "$S/signer.pub"
echo "$(du -sh "$OUT" | cut -f1) in $(ls "$OUT" | grep -c '\.json$') documents"
# The baseline: the same 10,000 documents signed by ssh-keygen itself (copies, so no .sig exists yet), 1,000 per run.
mkdir "$S/kg"; find "$OUT" -maxdepth 1 -name '*.json' -exec cp -t "$S/kg" {} +
measure "ssh-keygen -Y sign (baseline)" - sh -c "find '$S/kg' -name '*.json' -print0 | SSH_AUTH_SOCK= xargs -0 -n 1000 ssh-keygen -Y sign -q -f '$S/signer' -n keyagentd-registry && echo \"\$(find '$S/kg' -name '*.json.sig' | wc -l) signatures\""
# sign checks every signature a document already carries (the build's) against allowed_signers, then re-signs.
echo "bench@example.com namespaces=\"keyagentd-registry\" $(cat "$S/signer.pub")" > "$S/allowed_signers"
measure "registry sign --key FILE" - env SSH_AUTH_SOCK= "$K" sign "$OUT" --key "$S/signer" --allowed-signers "$S/allowed_signers"
measure "registry sign (agent)" - "$K" sign "$OUT" --key "$S/signer.pub" --allowed-signers "$S/allowed_signers"
measure "registry sign --source (agent)" - "$K" sign "$OUT" --key "$S/signer.pub" --allowed-signers "$S/allowed_signers" --source "$S/src"
measure "no-change rebuild + sign" 10 "$K" build "$S/src" --out "$OUT" --state-dir "$S/state" --sign-key "$S/signer.pub"
# One person's key changes: only the documents of hosts that grant that person move.
# The 700th person, or the middle one of a smaller source (sed prints nothing past the last line).
victim=$(ls "$S/src/people" | sed -n "$(( PEOPLE > 700 ? 700 : PEOPLE / 2 + 1 ))p")
python3 - "$S/src/people/$victim" <<'PY'
import base64, os, struct, sys
s = lambda b: struct.pack(">I", len(b)) + b
path = sys.argv[1]; lines = open(path).read().splitlines()
lines[1] = "ssh-ed25519 " + base64.b64encode(s(b"ssh-ed25519") + s(os.urandom(32))).decode() + " rotated # label=laptop"
open(path, "w").write("\n".join(lines) + "\n")
PY
touched=$(grep -l "${victim%.keys}" "$OUT"/*.json | wc -l)
measure "incremental build + sign" 10 "$K" build "$S/src" --out "$OUT" --state-dir "$S/state" --sign-key "$S/signer.pub"
echo "(${victim%.keys} appears in $touched documents before the change)"
