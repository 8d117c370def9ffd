#!/usr/bin/env bash
# The daemon's footprint, side by side with the runtime floor (bench/floor: a hosted worker that only
# wakes up, published the same way). For 1 account and for ACCOUNTS x KEYS (sandbox homes, passwd
# file, file:// registry, as bench/sync-scale.sh; no root needed): time from start to the end of the
# first sync, resident memory after it and after CYCLES no-change cycles, peak resident memory, CPU
# per no-change cycle (from /proc, so other load on the machine does not inflate it), and a one-shot
# `keyagentd sync` with nothing to do. The daemon and the floor run with the Environment= of
# systemd/keyagentd.service, as systemd would start them.
# Targets: <= 30 MB resident for one account; for 10,000 x 5, <= 64 MB peak and <= 48 MB steady;
# no-change cycle for 10,000 accounts <= 0.1 s; one-shot no-op sync <= 0.5 s. BASE=path/to/keyagentd
# runs the previous binary on the same sandboxes afterwards, for figures side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
K=${K:-$PWD/out/bin/keyagentd}
# INTERVAL: Registry:PollInterval in seconds, at least 1 (a shorter one is refused at load; the daemon never waited less than 1 s).
ACCOUNTS=${ACCOUNTS:-10000}; KEYS=${KEYS:-5}; CYCLES=${CYCLES:-100}; INTERVAL=${INTERVAL:-1}
[ -x "$K" ] || { echo "skip: $K missing (run make publish)"; exit 0; }
work=$(mktemp -d /var/tmp/keyagentd-footprint-XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
# The floor is published as the same kind of binary as $K: NativeAOT (keyagentd now), or
# framework-dependent ReadyToRun when a keyagentd.dll sits beside it (an older publish). Kept in
# out/bench-floor-<kind>/ so a rerun does not pay for another NativeAOT compile; that variant's
# restore keeps its lock file out of the tree.
if [ -f "$(dirname "$K")/keyagentd.dll" ]; then kind=r2r; else kind=aot; fi
floor_dir=$PWD/out/bench-floor-$kind
if [ "$kind" = aot ]; then
  dotnet publish bench/floor/Floor.csproj -c Release -o "$floor_dir" -nologo -clp:ErrorsOnly >/dev/null
else
  dotnet publish bench/floor/Floor.csproj -c Release -p:FloorKind=r2r -p:NuGetLockFilePath="$work/floor.lock.json" \
    -p:BaseIntermediateOutputPath="$PWD/out/bench-floor-obj-r2r/" -o "$floor_dir" -nologo -clp:ErrorsOnly >/dev/null
fi

echo "daemon-footprint: $K ($kind), floor $floor_dir/floor-worker"
echo "daemon-footprint: load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores; $CYCLES no-change cycles every ${INTERVAL}s"
FLOOR=$floor_dir/floor-worker python3 - "$K" "$work" "$ACCOUNTS" "$KEYS" "$CYCLES" "$INTERVAL" "$(id -u)" "$(id -g)" <<'PY'
import base64, json, os, random, re, resource, statistics, struct, subprocess, sys, time
K, work, big, per, cycles, interval, uid, gid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), sys.argv[7], sys.argv[8]
tick = os.sysconf("SC_CLK_TCK")
# The daemon runs as its unit runs it: the unit's Environment= lines apply to it and to the floor,
# not to the one-shot `sync`, which an administrator runs from a shell.
unit_env = dict(os.environ)
for line in open("systemd/keyagentd.service"):
    if line.startswith("Environment="):
        name, _, value = line.strip()[len("Environment="):].partition("=")
        unit_env[name] = value

def sandbox(n, tag=""):
    d = f"{work}/s{n}{tag}"; os.makedirs(f"{d}/home"); os.makedirs(f"{d}/state"); os.chmod(d, 0o755); os.chmod(f"{d}/home", 0o755)
    rng = random.Random(20261121)
    def s(b): return struct.pack(">I", len(b)) + b
    people, accounts = {}, {}
    with open(f"{d}/passwd", "w") as pw:
        for i in range(n):
            user, home = f"u{i:05d}", f"{d}/home/u{i:05d}"
            os.mkdir(home); os.chmod(home, 0o755)
            pw.write(f"{user}:x:{uid}:{gid}:bench:{home}:/bin/sh\n")
            keys = [{"key": "ssh-ed25519 " + base64.b64encode(s(b"ssh-ed25519") + s(rng.randbytes(32))).decode() + f" p{i}-k{j}"} for j in range(per)]
            people[f"p{i}@example.com"] = {"keys": keys}
            accounts[user] = {"grants": [f"p{i}@example.com"]}
    json.dump({"schema": "keyagentd.registry/v1", "serial": 1, "issued_at": "2026-01-01T00:00:00Z", "expires_at": "2099-01-01T00:00:00Z",
               "people": people, "accounts": accounts, "revoked": []}, open(f"{d}/registry.json", "w"))
    json.dump({"Registry": {"Url": f"file://{d}/registry.json", "MaxBytes": 268435456, "PollInterval": f"00:00:{interval:09.6f}", "Jitter": "00:00:00"},
               "Accounts": {"PasswdFile": f"{d}/passwd"}, "State": {"Directory": f"{d}/state"}, "Audit": {"Path": f"{d}/audit.jsonl"}},
              open(f"{d}/keyagentd.json", "w"))
    return f"{d}/keyagentd.json"

def proc(pid):
    status = open(f"/proc/{pid}/status").read()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    global anon
    parts = [int(re.search(k + r":\s+(\d+)", status).group(1)) / 1024 for k in ("RssAnon", "RssFile", "RssShmem")]
    anon = "/".join(f"{v:.1f}" for v in parts)
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
    stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return rss, hwm, (int(stat[11]) + int(stat[12])) / tick

def watch(cmd, label):
    """Start cmd, follow its cycle log lines; figures after the first cycle and after `cycles` more."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=unit_env)
    seen, first, durations, deadline = 0, None, [], time.monotonic() + 600
    for line in p.stdout:
        m = re.search(r"sync (\w+) in ([0-9.]+)s: (.*)", line)
        if not m:
            continue
        seen += 1
        if seen == 1:
            first = (time.monotonic() - t0, *proc(p.pid))
        else:
            durations.append(float(m.group(2)))
        if seen == 2:
            second_cpu = proc(p.pid)[2]
        if seen == cycles + 1 or time.monotonic() > deadline:
            break
    rss, hwm, cpu = proc(p.pid)
    p.terminate(); p.wait(timeout=30)
    per_cycle = (cpu - second_cpu) / max(seen - 2, 1)
    print(f"  {label:28} first sync {first[0]:6.2f} s  RSS after it {first[1]:6.1f} MiB  after {seen - 1} cycles {rss:6.1f} MiB (anon/file/shmem {anon})  peak {hwm:6.1f} MiB"
          f"  CPU/cycle {per_cycle * 1000:6.1f} ms  logged cycle median {statistics.median(durations) if durations else 0:.3f} s")
    return first[0], rss, hwm, per_cycle, (statistics.median(durations) if durations else 0)

def oneshot(config):
    best = None
    for _ in range(3):
        t = time.monotonic()
        pid = subprocess.Popen([K, "--config", config, "sync"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).pid
        _, status, ru = os.wait4(pid, 0)
        row = (time.monotonic() - t, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024)
        best = row if best is None else min(best, row)
    return best

floor = os.environ["FLOOR"]
print("runtime floor (hosted worker, nothing to do):")
watch([floor, str(interval)], "floor-worker")
results = {}
for n in (1, big):
    config = sandbox(n)
    print(f"keyagentd run, {n} account(s) x {per} keys:")
    results[n] = watch([K, "--config", config, "run"], f"{n} account(s)")
    wall, cpu, rss = oneshot(config)
    results[n] += (wall, cpu, rss)
    print(f"  {'one-shot sync, nothing to do':28} wall {wall:.2f} s  CPU {cpu:.2f} s  peak RSS {rss:.0f} MiB (best of 3)")

def verdict(ok): return "met" if ok else "MISSED"
one, many = results[1], results[big]
base = os.environ.get("BASE")
if base:
    # The previous binary on fresh sandboxes of the same shape, right after: the same machine, the same moment.
    print(f"previous binary {base}:")
    K = base
    for n in (big,):
        config = sandbox(n, "-previous")
        results[f"base{n}"] = watch([K, "--config", config, "run"], f"{n} account(s), previous")
        wall, cpu, rss = oneshot(config)
        results[f"base{n}"] += (wall, cpu, rss)
        print(f"  {'one-shot sync, nothing to do':28} wall {wall:.2f} s  CPU {cpu:.2f} s  peak RSS {rss:.0f} MiB (best of 3)")
was = results.get(f"base{big}")
def before(i, fmt):
    return f"; previous binary {fmt.format(was[i])}" if was else ""
print(f"targets (load average {open('/proc/loadavg').read().split()[0]} on {os.cpu_count()} cores):")
print(f"  resident, 1 account <= 30 MB: {one[1] * 1.048576:.1f} MB after {cycles} cycles ({verdict(one[1] * 1.048576 <= 30)})")
print(f"  peak, {big} x {per} <= 64 MB: {many[2] * 1.048576:.1f} MB ({verdict(many[2] * 1.048576 <= 64)}; first sync included{before(2, '{:.1f} MiB')})")
print(f"  steady, {big} x {per} <= 48 MB: {many[1] * 1.048576:.1f} MB after {cycles} cycles ({verdict(many[1] * 1.048576 <= 48)}{before(1, '{:.1f} MiB')})")
print(f"  no-change cycle, {big} accounts <= 0.1 s: {many[4]:.3f} s logged, {many[3]:.3f} s CPU ({verdict(many[4] <= 0.1)}{before(3, '{:.3f} s CPU')})")
print(f"  one-shot no-op sync, {big} accounts <= 0.5 s: {many[5]:.2f} s wall, {many[6]:.2f} s CPU ({verdict(many[5] <= 0.5)}{before(6, '{:.2f} s CPU')})")
PY
