#!/usr/bin/env bash
# Fleet simulation (not part of `make test`; README "Fleet simulation"): N real `keyagentd run`
# daemons on this machine, each a host of its own (Host:Name, state directory, passwd file, home,
# audit log, metrics file; an unprivileged sandbox as `make run` builds), polling one real nginx on
# loopback every INTERVAL ± JITTER seconds with Registry:Signatures enforce. The documents are built
# and signed by keyagentd-registry (one per host, each for its own audience) and published into
# nginx's root file by file (.sig before document, each an atomic rename), as a sync to a web server does.
#
# Measured:
#   - the herd: every daemon started at once; when each host's first request reached nginx, the
#     busiest second, and how the hosts' k-th requests spread as jitter accumulates;
#   - steady state: requests per second at nginx, 304s against full GETs and their bytes (from the
#     access log), the fleet's memory (RSS and PSS summed over the daemons) and CPU per poll;
#   - a revocation: a person's key is revoked in the source, rebuilt, signed and published; from
#     the first file published, the time until the key is gone from each host's authorized_keys
#     (its write time), p50/p95/max against the bound INTERVAL + JITTER, and nginx's traffic for it.
# Then the extrapolation to FLEET hosts at the default 60 s ± 15 s, with the arithmetic.
#
#   N=200 INTERVAL=10 JITTER=2.5 STEADY=60 PEOPLE=20 bash bench/fleet.sh
#   STAGGER=S           spawn the daemons evenly over S seconds instead of at once: with S = INTERVAL
#                       the phases start uniform, as in a fleet long past its last restart (the herd
#                       figures then describe the stagger, not a herd).
#   SCENARIO=rotation   a snapshot signer rotation instead of a revocation (docs/trust-root.md): the
#                       hosts are bootstrapped on trust root version 1 (Registry:TrustRootFile; root
#                       holders alice and bob, threshold 2; CI snapshot key A) and apply snapshots
#                       signed by A. Then, at one moment, root version 2 dropping and revoking A for B
#                       (`root propose`, signed by both holders with `root sign`, `root publish`) and a
#                       snapshot signed by A only, adding an intruder's key, are published. Per host,
#                       from root 2's publication: its `root-accepted` (from that cycle A counts for
#                       nothing) and its `snapshot-refused` of A's snapshot (audit log times),
#                       p50/p95/max against INTERVAL + JITTER; hosts that applied the intruder's key
#                       (must be 0); nginx's requests and bytes for root/N+1 (404s steady, 200s then).
# Needs out/bin (make publish), nginx and ssh-keygen; no root (homes, passwd file and state under
# /var/tmp); loopback only; every daemon and nginx is stopped and the sandbox removed on exit
# (KEEP=1 keeps the sandbox).
set -euo pipefail
cd "$(dirname "$0")/.."
K=${K:-$PWD/out/bin/keyagentd}
R=${R:-$PWD/out/bin/keyagentd-registry}
command -v nginx >/dev/null || { echo "fleet: nginx not installed (apt-get install nginx)" >&2; exit 1; }
[ -x "$K" ] && [ -x "$R" ] || { echo "fleet: $K or $R missing (make publish)" >&2; exit 1; }
work=$(mktemp -d /var/tmp/keyagentd-fleet-XXXXXX)
chmod 755 "$work"
# The daemons run with the unit's Environment= (its GC settings), as systemd starts them.
unit_env=$(sed -n 's/^Environment=//p' systemd/keyagentd.service | tr '\n' ' ')
exec python3 - "$K" "$R" "$work" "$unit_env" <<'PY'
import datetime, json, os, re, shutil, signal, socket, statistics, subprocess, sys, time

K, R, work, unit_env = sys.argv[1:5]
N = int(os.environ.get("N", 200))
INTERVAL = float(os.environ.get("INTERVAL", 10))
JITTER = float(os.environ.get("JITTER", 2.5))
STEADY = float(os.environ.get("STEADY", 60))
PEOPLE = int(os.environ.get("PEOPLE", 20))
FLEET = int(os.environ.get("FLEET", 100000))
SCENARIO = os.environ.get("SCENARIO", "revocation")
STAGGER = float(os.environ.get("STAGGER", 0))   # spawn the daemons evenly over this many seconds (0: the herd)
DEFAULT_INTERVAL, DEFAULT_JITTER = 60.0, 15.0   # docs/configuration.md: Registry:PollInterval / Jitter
uid, gid = os.getuid(), os.getgid()
daemons, nginx = [], None

def log(*a):
    print(*a, flush=True)

def cleanup(*_):
    for p in daemons:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 30
    for p in daemons:
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
    if nginx and nginx.poll() is None:
        nginx.terminate(); nginx.wait()
    if not os.environ.get("KEEP"):
        shutil.rmtree(work, ignore_errors=True)
    else:
        log(f"kept: {work}")

if SCENARIO not in ("revocation", "rotation"):
    raise SystemExit(f"fleet: SCENARIO={SCENARIO}: expected revocation or rotation")
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
try:
    def sh(*cmd, **kw):
        return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw).stdout

    def keygen(path, comment):
        sh("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path)
        return open(path + ".pub").read().strip()

    def fingerprint(pub):
        return sh("ssh-keygen", "-l", "-f", pub).split()[1]

    # --- the registry source: PEOPLE people in one group, root on every host for that group.
    src, built, www = f"{work}/source", f"{work}/built", f"{work}/www"
    os.makedirs(f"{src}/people"); os.makedirs(www); os.makedirs(built)
    os.chmod(www, 0o755)
    keygen(f"{work}/signer", "fleet registry signer")   # with SCENARIO=rotation: A, the key that leaks
    with open(f"{work}/allowed_signers", "w") as f:
        f.write('registry@example.com namespaces="keyagentd-registry" ' + " ".join(open(f"{work}/signer.pub").read().split()[:2]) + "\n")
    people = [f"p{i:03d}@example.com" for i in range(PEOPLE)]
    victim = people[-1]
    for p in people:
        keygen(f"{work}/{p}", p)
        shutil.copy(f"{work}/{p}.pub", f"{src}/people/{p}.keys")
    victim_key = open(f"{work}/{victim}.pub").read().split()[1]
    with open(f"{src}/groups.yaml", "w") as f:
        f.write("ops:\n  people: [" + ", ".join(people) + "]\n")
    hosts = [f"host-{i:05d}.fleet.example" for i in range(N)]
    with open(f"{src}/hosts.yaml", "w") as f:
        f.writelines(f"{h}: {{ env: prod }}\n" for h in hosts)
    with open(f"{src}/access.yaml", "w") as f:
        f.write('rules:\n  - hosts: ["*"]\n    accounts: [root]\n    groups: [ops]\n')

    def build():
        t = time.monotonic()
        sh(R, "build", src, "--out", built, "--state-dir", f"{work}/registry-state", "--sign-key", f"{work}/signer")
        return time.monotonic() - t

    def publish():
        """Copies the built documents into nginx's root: each file through a temporary name and a
        rename, the .sig before its document (as the registry's own publisher orders them)."""
        t = time.time()
        for h in hosts:
            for name in (f"{h}.json.sig", f"{h}.json"):
                shutil.copy(f"{built}/{name}", f"{www}/.{name}.tmp")
                os.rename(f"{www}/.{name}.tmp", f"{www}/{name}")
        return t, time.time() - t

    build_seconds = build()
    doc_bytes = os.path.getsize(f"{built}/{hosts[0]}.json")
    sig_bytes = os.path.getsize(f"{built}/{hosts[0]}.json.sig")
    publish()
    roots = f"{work}/roots"
    if SCENARIO == "rotation":
        # Trust root version 1: two root holders (threshold 2), snapshot signer A; published beside
        # the snapshots and installed on every host as Registry:TrustRootFile (with its .sig).
        for holder in ("alice", "bob"):
            keygen(f"{work}/root-{holder}", f"{holder} root key")
        keygen(f"{work}/signer-b", "fleet registry signer B")
        sh(R, "root", "init", "--out", roots, "--root-key", f"alice={work}/root-alice.pub", "--root-key", f"bob={work}/root-bob.pub",
           "--root-threshold", "2", "--snapshot-signer", f"ci-release={work}/signer.pub", "--snapshot-threshold", "1", "--expires", "365d")
        for holder in ("alice", "bob"):
            sh(R, "root", "sign", f"{roots}/1.json", "--key", f"{work}/root-{holder}")
        sh(R, "root", "publish", "--from", roots, "--to", www)
        shutil.copy(f"{roots}/1.json", f"{work}/root.json"); shutil.copy(f"{roots}/1.json.sig", f"{work}/root.json.sig")
    log(f"fleet: {N} hosts, {PEOPLE} keys each ({doc_bytes} B document + {sig_bytes} B signature per host); "
        f"keyagentd-registry build of {N} signed documents: {build_seconds:.1f} s")

    # --- nginx: the access log carries the time, status and bytes of every request.
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    ng = f"{work}/nginx"; os.makedirs(f"{ng}/tmp")
    with open(f"{ng}/nginx.conf", "w") as f:
        f.write(f"""worker_processes 1;
worker_rlimit_nofile {4 * N + 256};
error_log {ng}/error.log;
pid {ng}/nginx.pid;
events {{ worker_connections {2 * N + 128}; }}
http {{
  log_format fleet '$msec $status $bytes_sent $request_uri';
  access_log {ng}/access.log fleet;
  client_body_temp_path {ng}/tmp; proxy_temp_path {ng}/tmp; fastcgi_temp_path {ng}/tmp;
  uwsgi_temp_path {ng}/tmp; scgi_temp_path {ng}/tmp;
  types {{ application/json json; }}
  default_type application/octet-stream;
  server {{ listen 127.0.0.1:{port}; root {www}; etag on; }}
}}
""")
    nginx = subprocess.Popen(["nginx", "-c", f"{ng}/nginx.conf", "-p", ng, "-g", "daemon off;"])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close(); break
        except OSError:
            time.sleep(0.05)

    # --- the hosts
    def fmt(seconds):
        return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}:{seconds % 60:06.3f}".rstrip("0").rstrip(".")
    env = dict(os.environ)
    for assignment in unit_env.split():
        k, _, v = assignment.partition("="); env[k] = v
    configs = []
    for h in hosts:
        d = f"{work}/hosts/{h}"
        os.makedirs(f"{d}/home/root"); os.makedirs(f"{d}/state")
        for p in (f"{work}/hosts", d, f"{d}/home", f"{d}/home/root"):
            os.chmod(p, 0o755)
        with open(f"{d}/passwd", "w") as f:
            f.write(f"root:x:{uid}:{gid}:fleet host root:{d}/home/root:/bin/sh\n")
        cfg = {
            "Host": {"Name": h},
            "Registry": {"Url": f"http://127.0.0.1:{port}/{{hostname}}.json", "PollInterval": fmt(INTERVAL),
                         "Jitter": fmt(JITTER), "Signatures": "enforce"}
                        | ({"TrustRootFile": f"{work}/root.json", "AllowedSignersFile": f"{work}/no-allowed-signers"}
                           if SCENARIO == "rotation" else {"AllowedSignersFile": f"{work}/allowed_signers"}),
            "Sshd": {"RevokedKeysFile": f"{d}/state/revoked_keys.krl"},
            "Accounts": {"PasswdFile": f"{d}/passwd", "Mode": "exclusive"},
            "State": {"Directory": f"{d}/state"},
            "Audit": {"Path": f"{d}/audit.jsonl"},
            "Metrics": {"TextfilePath": f"{d}/keyagentd.prom"},
        }
        with open(f"{d}/keyagentd.json", "w") as f:
            json.dump(cfg, f)
        configs.append(d)

    # The herd: every daemon at once.
    herd_start = time.time()
    for i, d in enumerate(configs):
        if STAGGER:
            time.sleep(max(0.0, herd_start + i * STAGGER / N - time.time()))
        with open(f"{d}/daemon.log", "w") as out:
            daemons.append(subprocess.Popen([K, "--config", f"{d}/keyagentd.json", "run"], stdout=out, stderr=subprocess.STDOUT, env=env))
    spawned = time.time() - herd_start
    ak = [f"{d}/home/root/.ssh/authorized_keys" for d in configs]

    def has_victim(path):
        try:
            with open(path) as f:
                return victim_key in f.read()
        except FileNotFoundError:
            return None

    deadline = time.time() + max(120, 3 * (INTERVAL + JITTER)) + STAGGER
    while time.time() < deadline and not all(has_victim(p) for p in ak):
        dead = [d for d, p in zip(configs, daemons) if p.poll() is not None]
        if dead:
            raise SystemExit(f"fleet: a daemon exited: {dead[0]}/daemon.log:\n" + open(f"{dead[0]}/daemon.log").read()[-2000:])
        time.sleep(0.1)
    if not all(has_victim(p) for p in ak):
        raise SystemExit(f"fleet: not every host synced within {deadline - herd_start:.0f} s")
    first_synced = max(os.stat(p).st_mtime for p in ak) - herd_start
    log(f"fleet: load average {open('/proc/loadavg').read().split()[0]} on {os.cpu_count()} cores; {N} daemons spawned in {spawned:.2f} s; every host's first sync done {first_synced:.1f} s after the first spawn")

    def read_log():
        rows = []
        with open(f"{ng}/access.log") as f:
            for line in f:
                t, status, sent, uri = line.split()
                rows.append((float(t), int(status), int(sent), uri))
        return rows

    def is_document(uri):
        return uri.endswith(".json") and not uri.startswith("/root/")

    def residual(q, i, j):
        """The q-quantile of the time from a random instant to a host's next poll when polls are
        U(i - j, i + j) apart: F(r) = r / i up to i - j, then 1 - (i + j - r)^2 / (4 j i)."""
        return q * i if q <= (i - j) / i else i + j - (4 * j * i * (1 - q)) ** 0.5

    def memory():
        rss = pss = 0
        for p in daemons:
            with open(f"/proc/{p.pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"): rss += int(line.split()[1])
                    elif line.startswith("Pss:"): pss += int(line.split()[1])
        return rss / 1024, pss / 1024

    def cpu_seconds():
        tick = os.sysconf("SC_CLK_TCK"); total = 0
        for p in daemons:
            with open(f"/proc/{p.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / tick

    # --- steady state
    cpu0, t0 = cpu_seconds(), time.time()
    time.sleep(STEADY)
    cpu1, t1 = cpu_seconds(), time.time()
    rss, pss = memory()
    rows = read_log()
    steady = [r for r in rows if t0 <= r[0] < t1]
    polls = [r for r in steady if is_document(r[3])]
    n304 = [r for r in steady if r[1] == 304]; n200 = [r for r in steady if r[1] == 200]
    other = [r for r in steady if r[1] not in (200, 304)]
    span = t1 - t0
    rate = len(steady) / span
    b304 = statistics.mean(r[2] for r in n304) if n304 else 0
    cpu_per_poll = (cpu1 - cpu0) / max(1, len(polls))
    log(f"steady state ({span:.0f} s): {len(steady)} requests, {rate:.1f}/s (expected {'2 x ' if SCENARIO == 'rotation' else ''}N/INTERVAL = {(2 if SCENARIO == 'rotation' else 1) * N / INTERVAL:.1f}/s); "
        f"304: {len(n304)} ({sum(r[2] for r in n304)} B, {b304:.0f} B each); 200: {len(n200)} ({sum(r[2] for r in n200)} B); other: {len(other)}")
    log(f"fleet memory: RSS sum {rss:.0f} MiB ({rss / N:.1f} MiB per daemon), PSS sum {pss:.0f} MiB ({pss / N:.1f} MiB per daemon); "
        f"fleet CPU {cpu1 - cpu0:.1f} s over {span:.0f} s = {1000 * cpu_per_poll:.1f} ms per poll")
    root_polls = [r for r in steady if r[3].startswith("/root/")]
    if SCENARIO == "rotation":
        log(f"  trust root polls (root/2.json, no next version yet): {len(root_polls)} requests ({len(root_polls) / max(1, len(polls)):.2f} per document poll), "
            f"statuses {sorted(set(r[1] for r in root_polls))}, {sum(r[2] for r in root_polls)} B, "
            f"{statistics.mean(r[2] for r in root_polls) if root_polls else 0:.0f} B each")

    # --- the herd, from the access log: each host's k-th document request after the start.
    per_host = {}
    for t, status, sent, uri in rows:
        if is_document(uri) and t >= herd_start:
            per_host.setdefault(uri, []).append(t - herd_start)
    firsts = sorted(v[0] for v in per_host.values())
    buckets = {}
    for t, *_ in rows:
        if herd_start <= t < herd_start + 3 * INTERVAL:
            buckets[int(t - herd_start)] = buckets.get(int(t - herd_start), 0) + 1
    busiest = max(buckets.items(), key=lambda kv: kv[1])
    log(f"herd: first document request of every host within {firsts[-1] - firsts[0]:.2f} s (p50 {statistics.median(firsts):.2f} s "
        f"after the first spawn); busiest second {busiest[0]}: {busiest[1]} requests (steady average {rate:.1f}/s)")
    spreads = []
    for k in range(1, 6):
        kth = [v[k] - v[0] for v in per_host.values() if len(v) > k]
        if len(kth) == len(per_host):
            spreads.append((k, min(kth), max(kth), statistics.pstdev(kth)))
            log(f"  poll {k + 1}: {min(kth):.2f}..{max(kth):.2f} s after each host's first, spread {max(kth) - min(kth):.2f} s, "
                f"stdev {statistics.pstdev(kth):.2f} s (k x U(-J, J) sums: sqrt(k/3) x J = {JITTER * (k / 3) ** 0.5:.2f} s)")

    def audit_since(d, offset):
        """The audit records appended to host d's log after byte offset, with the new offset."""
        with open(f"{d}/audit.jsonl", "rb") as f:
            f.seek(offset); data = f.read()
        data = data[:data.rfind(b"\n") + 1]
        return [json.loads(line) for line in data.splitlines() if line.strip()], offset + len(data)

    def rotation():
        """Root version 2 drops and revokes A for B, published at the same moment as a snapshot signed
        by A only that adds an intruder's key: per host, when it accepts root 2 and refuses A."""
        intruder = "intruder@example.com"
        keygen(f"{work}/{intruder}", intruder)
        intruder_key = open(f"{work}/{intruder}.pub").read().split()[1]
        shutil.copy(f"{work}/{intruder}.pub", f"{src}/people/{intruder}.keys")
        with open(f"{src}/groups.yaml", "w") as f:
            f.write("ops:\n  people: [" + ", ".join(people + [intruder]) + "]\n")
        leak_build = build()   # signed by A: what the holder of the leaked key would publish
        a_fp = fingerprint(f"{work}/signer.pub")
        t = time.monotonic()
        diff = sh(R, "root", "propose", "--from", f"{roots}/1.json", "--remove-snapshot-signer", a_fp,
                  "--add-snapshot-signer", f"ci-release={work}/signer-b.pub", "--revoke-signer", a_fp)
        for holder in ("alice", "bob"):
            sh(R, "root", "sign", f"{roots}/2.json", "--key", f"{work}/root-{holder}")
        sh(R, "root", "verify", roots)
        ceremony = time.monotonic() - t
        offsets = {d: audit_since(d, 0)[1] for d in configs}
        published = time.time()
        sh(R, "root", "publish", "--from", roots, "--to", www)
        root_seconds = time.time() - published
        snap_at, snap_seconds = publish()
        log(f"rotation: root 2 (A {a_fp} removed and revoked, B added) proposed, signed by alice and bob, verified in {ceremony:.1f} s; "
            f"published in {root_seconds * 1000:.0f} ms, then A's snapshot with {intruder}'s key (built in {leak_build:.1f} s) "
            f"{(snap_at - published) * 1000:.0f} ms after it, in {snap_seconds * 1000:.0f} ms")
        log("\n".join("  " + line.strip() for line in diff.splitlines() if line.strip()[:1] in ("+", "-", "h")))
        bound = INTERVAL + JITTER
        accepted, refused, reasons = {}, {}, {}
        deadline = published + 3 * bound + 60
        while (len(accepted) < N or len(refused) < N) and time.time() < deadline:
            for d in configs:
                records, offsets[d] = audit_since(d, offsets[d])
                for rec in records:
                    at = datetime.datetime.fromisoformat(rec["time"].replace("Z", "+00:00")).timestamp() - published
                    if rec["action"] == "root-accepted" and rec.get("root_version") == 2:
                        accepted.setdefault(d, at)
                    elif rec["action"] == "snapshot-refused" and rec.get("reason") != "last-known-good-unverified" and d not in refused:
                        refused[d] = at; reasons[rec.get("reason")] = reasons.get(rec.get("reason"), 0) + 1
            time.sleep(0.25)
        applied = [d for d, path in zip(configs, ak) if intruder_key in open(path).read()]
        if len(accepted) < N or len(refused) < N:
            raise SystemExit(f"fleet: {N - len(accepted)} hosts did not accept root 2, {N - len(refused)} did not refuse A's snapshot, "
                             f"{3 * bound + 60:.0f} s after publishing")
        time.sleep(1)
        window = [r for r in read_log() if published <= r[0] <= published + max(refused.values()) + 0.5]
        def traffic(rows):
            return f"{len(rows)} ({sum(r[2] for r in rows)} B)"
        root200 = [r for r in window if r[3] == "/root/2.json" and r[1] == 200]
        sig200 = [r for r in window if r[3] == "/root/2.json.sig" and r[1] == 200]
        next404 = [r for r in window if r[3].startswith("/root/") and r[1] == 404]
        docs = [r for r in window if not r[3].startswith("/root/") and r[1] == 200]
        def quantiles(values):
            v = sorted(values); q = lambda x: v[min(len(v) - 1, int(x * len(v)))]
            return f"p50 {q(0.5):.2f} s, p95 {q(0.95):.2f} s, max {v[-1]:.2f} s"
        log(f"root 2 accepted (A counts for nothing from then on) over {N} hosts: {quantiles(accepted.values())}")
        log(f"A's snapshot refused over {N} hosts: {quantiles(refused.values())} (reasons: "
            + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())) + ")")
        log(f"  bound INTERVAL + JITTER = {bound:g} s plus the cycle; theory for uniform phases p50 {residual(0.5, INTERVAL, JITTER):.2f} s, "
            f"p95 {residual(0.95, INTERVAL, JITTER):.2f} s; hosts that applied {intruder}'s key: {len(applied)}")
        over = [x for x in refused.values() if x > bound]
        if over:
            log(f"  {len(over)} host(s) refused A over the bound, by up to {max(over) - bound:.2f} s")
        log(f"nginx during it: root/2.json 200 {traffic(root200)}, root/2.json.sig 200 {traffic(sig200)}, root/N+1 404 {traffic(next404)}, "
            f"snapshot full GETs {traffic(docs)}; {len(window)} requests in all")
        if applied:
            raise SystemExit(f"fleet: {len(applied)} hosts applied the leaked key's snapshot, e.g. {applied[0]}")

    if SCENARIO == "rotation":
        rotation()
        raise SystemExit(0)

    # --- the revocation
    with open(f"{src}/revoked", "w") as f:
        f.write(fingerprint(f"{work}/{victim}.pub") + "\n")
    rebuild = build()
    published, publish_seconds = publish()
    log(f"revocation: {victim}'s key revoked, rebuilt and signed in {rebuild:.1f} s, published in {publish_seconds * 1000:.0f} ms")
    bound = INTERVAL + JITTER
    gone = {}
    deadline = published + 3 * bound + 60
    while len(gone) < N and time.time() < deadline:
        for path in ak:
            if path not in gone and has_victim(path) is False:
                gone[path] = os.stat(path).st_mtime - published
        time.sleep(0.05)
    if len(gone) < N:
        raise SystemExit(f"fleet: the revoked key is still on {N - len(gone)} hosts {3 * bound + 60:.0f} s after publishing")
    lat = sorted(gone.values())
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    time.sleep(1)
    rows = read_log()
    window = [r for r in rows if published <= r[0] <= published + lat[-1]]
    full = [r for r in window if r[1] == 200]
    log(f"revocation latency over {N} hosts: p50 {p(0.5):.2f} s, p95 {p(0.95):.2f} s, max {lat[-1]:.2f} s "
        f"(bound INTERVAL + JITTER = {bound:g} s, plus the cycle); nginx during it: {len(window)} requests, "
        f"{len(full)} full GETs ({sum(r[2] for r in full)} B), {sum(1 for r in window if r[1] == 304)} 304s")
    log(f"  theory for phases uniform over the interval (time to the next poll, polls U(I-J, I+J) apart): "
        f"p50 {residual(0.5, INTERVAL, JITTER):.2f} s, p95 {residual(0.95, INTERVAL, JITTER):.2f} s, max {bound:g} s, plus the cycle; "
        f"the revocation came {(published - herd_start) / INTERVAL:.1f} intervals after the herd start, whose phases are near uniform "
        f"only after 3 x (INTERVAL / (2 x JITTER))^2 = {3 * (INTERVAL / (2 * JITTER)) ** 2:.0f} polls")
    over = [x for x in lat if x > bound]
    if over:
        log(f"  {len(over)} host(s) over the bound, by up to {max(over) - bound:.2f} s")

    # --- extrapolation to FLEET hosts at the default interval
    full_bytes = statistics.mean(r[2] for r in full) if full else doc_bytes + sig_bytes
    per_host_full = sum(r[2] for r in full) / N if full else doc_bytes + sig_bytes
    dbound = DEFAULT_INTERVAL + DEFAULT_JITTER
    log("")
    log(f"extrapolation to {FLEET} hosts at PollInterval {DEFAULT_INTERVAL:g} s ± Jitter {DEFAULT_JITTER:g} s:")
    log(f"  steady: {FLEET} / {DEFAULT_INTERVAL:g} s = {FLEET / DEFAULT_INTERVAL:.0f} requests/s, each a 304 of {b304:.0f} B "
        f"= {FLEET / DEFAULT_INTERVAL * b304 / 1e6:.2f} MB/s")
    log(f"  revocation: {FLEET} hosts x {per_host_full:.0f} B (document + signature, measured per host) = {FLEET * per_host_full / 1e6:.0f} MB, "
        f"spread over one interval: {FLEET * per_host_full / DEFAULT_INTERVAL / 1e6:.1f} MB/s and {2 * FLEET / DEFAULT_INTERVAL:.0f} full GETs/s "
        f"(a document and its .sig per host) in place of that interval's {FLEET / DEFAULT_INTERVAL:.0f} 304s/s")
    log(f"  revocation latency: p50 {residual(0.5, DEFAULT_INTERVAL, DEFAULT_JITTER):.0f} s, p95 {residual(0.95, DEFAULT_INTERVAL, DEFAULT_JITTER):.0f} s "
        f"with phases uniform (the formula above), p50 {p(0.5) / INTERVAL * DEFAULT_INTERVAL:.0f} s, p95 {p(0.95) / INTERVAL * DEFAULT_INTERVAL:.0f} s "
        f"scaled from this run (its p50/p95 as fractions of INTERVAL, times {DEFAULT_INTERVAL:g} s); max approaches the bound {dbound:g} s plus a cycle, "
        f"as {FLEET} uniform phases leave no gap: the largest gap is about {dbound:g} s / {FLEET} = {dbound / FLEET * 1000:.2f} ms")
    settle = 3 * (DEFAULT_INTERVAL / (2 * DEFAULT_JITTER)) ** 2
    log(f"  herd (all {FLEET} started at once, e.g. after a fleet-wide upgrade): the first cycle runs at start, so {FLEET} requests "
        f"arrive within the start's spread; the next poll lands in [INTERVAL - JITTER, INTERVAL + JITTER], at most "
        f"{FLEET} / (2 x {DEFAULT_JITTER:g} s) = {FLEET / (2 * DEFAULT_JITTER):.0f}/s, {FLEET / (2 * DEFAULT_JITTER) / (FLEET / DEFAULT_INTERVAL):.1f}x the steady rate; "
        f"the k-th poll's phase has stdev sqrt(k/3) x {DEFAULT_JITTER:g} s and is near uniform once that reaches INTERVAL/2: "
        f"k = 3 x (INTERVAL / (2 x JITTER))^2 = {settle:.0f} polls ({settle * DEFAULT_INTERVAL / 60:.0f} min)")
    log(f"  memory: per host {rss / N:.1f} MiB RSS ({pss / N:.1f} MiB PSS here, where {N} daemons share one binary's pages); "
        f"CPU {1000 * cpu_per_poll:.1f} ms per no-change poll, {100 * cpu_per_poll / DEFAULT_INTERVAL:.3f} % of a core per host")
finally:
    cleanup()
PY
