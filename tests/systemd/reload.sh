#!/bin/bash
# Configuration under a real systemd, with the installed package (container.sh, as keyagentd-service.sh):
#   start logs the poll interval in effect, and "60" means 60 seconds (the daemon keeps running);
#   a valid change + `systemctl reload` is applied and the journal says what changed;
#   a broken file makes `systemctl reload` exit non-zero (ExecReload validates first) with the
#   file:line:column in the journal, and the daemon keeps running its old configuration; a SIGHUP
#   that reaches the daemon anyway is refused, logged as an error, and the sync still happens;
#   a duration out of range is exit 2 at start, one located line, no restart, no stack trace;
#   a sync loop that dies (here: WatchdogSec beyond what a .NET timer can wait) exits non-zero and
#   systemd restarts it (NRestarts >= 1).
# Root only; exit 77 = skipped. Needs out/pkg/keyagentd_<VERSION>-1_amd64.deb (`make package`).
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
skip() { echo "skip: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (namespaces, mounts, cgroups)"
for tool in unshare nsenter setpriv ssh-keygen /usr/bin/python3 /lib/systemd/systemd; do
    command -v "$tool" >/dev/null || skip "$tool not available"
done
[ "$(dpkg --print-architecture)" = amd64 ] || skip "the package is linux-x64 (amd64) only"
[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null || stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] \
    || skip "no cgroup2 hierarchy to give the container's systemd"
unshare --pid --fork --mount --uts --ipc --net --cgroup true 2>/dev/null \
    || skip "cannot create pid/mount/uts/ipc/net/cgroup namespaces here"
if dpkg-query -W -f='${db:Status-Status}' keyagentd 2>/dev/null | grep -qv '^not-installed$'; then
    skip "keyagentd is installed on this host; the container would start with it installed"
fi

version="$(tr -d ' \n' < VERSION)-1"
deb=out/pkg/keyagentd_${version}_amd64.deb
if [ ! -f "$deb" ]; then
    echo "building $deb (make package, reusing out/pkg/publish when present)"
    SKIP_PUBLISH=1 timeout 1800 make -s package ARCHS=amd64 >/dev/null || { echo "FAIL: make package"; exit 1; }
fi

work=$(mktemp -d /tmp/keyagentd-reload.XXXXXX)
export CT_DIR=$work
ct=$repo/tests/systemd/container.sh
cleanup() {
    local rc=$?
    if [ -n "${KEEP_CONTAINER:-}" ] && [ "$rc" != 0 ]; then
        echo "KEEP_CONTAINER set: container left running, CT_DIR=$work" >&2
        exit "$rc"
    fi
    "$ct" stop || rc=1
    grep -qF " $work/" /proc/self/mountinfo || rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
die() { echo "FAIL: $*"; failures=$((failures + 1)); exit 1; }
X() { "$ct" exec "$@"; }
XQ() { "$ct" exec "$@" 2>/dev/null; }
eventually() { local until=$(( $(date +%s) + $1 )); shift; until "$@"; do [ "$(date +%s)" -lt "$until" ] || return 1; sleep 0.1; done; }
show() { XQ systemctl show -p "$2" --value "$1"; }
journal() { XQ journalctl -u keyagentd --no-pager -o cat; }
# (Captured first: grep -q ending early would make journalctl die of SIGPIPE and fail the pipeline.)
journal_has() { local text; text=$(journal); grep -qE -- "$1" <<<"$text"; }
# The journal since the last mark, so that a check sees only what its own step logged.
mark() { since=$(XQ date '+%Y-%m-%d %H:%M:%S'); sleep 1; }
since=""
journal_since() { XQ journalctl -u keyagentd --no-pager -o cat --since "$since"; }

mkdir -p "$work/share"
cp "$deb" "$work/share/keyagentd.deb"
ssh-keygen -q -t ed25519 -N '' -C alice-laptop -f "$work/alice1"
ssh-keygen -q -t ed25519 -N '' -C alice-phone -f "$work/alice2"
registry() { # registry SERIAL KEY...: share/registry.json, written atomically
    /usr/bin/python3 - "$work" "$@" <<'PY'
import datetime, json, os, sys
work, serial, keys = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
now = datetime.datetime.now(datetime.timezone.utc)
stamp = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
doc = {"schema": "keyagentd.registry/v1", "serial": serial,
       "issued_at": stamp(now - datetime.timedelta(minutes=1)), "expires_at": stamp(now + datetime.timedelta(days=30)),
       "people": {"alice@example.com": {"keys": [{"key": open(os.path.join(work, k + ".pub")).read().strip(), "label": k} for k in keys]}},
       "accounts": {"alice": {"grants": ["alice@example.com"]}}}
path = os.path.join(work, "share", "registry.json")
with open(path + ".new", "w") as f:
    json.dump(doc, f)
os.replace(path + ".new", path)
PY
}
# config POLL [FILES] [--broken]: the package's conffile with the file registry, Registry:PollInterval = POLL
# (as written, a string), Delivery:AuthorizedKeysFiles = FILES; --broken drops the comma after "Registry"
config() {
    /usr/bin/python3 - "$work" "$@" <<'PY' || die "config"
import json, sys
work, poll = sys.argv[1], sys.argv[2]
files = sys.argv[3] if len(sys.argv) > 3 and not sys.argv[3].startswith("--") else "true"
text = ('{\n  "Registry": { "Url": "file:///srv/test/registry.json", "PollInterval": %s, "Jitter": "0" },\n'
        '  "Delivery": { "AuthorizedKeysFiles": %s },\n  "Safety": { "MaxRemovalPercent": 100 }\n}\n') % (json.dumps(poll), files)
if "--broken" in sys.argv:
    text = text.replace('"0" },\n', '"0" }\n')
open(work + "/share/keyagentd.json", "w").write(text)
PY
    X cp /srv/test/keyagentd.json /etc/keyagentd/keyagentd.json || die "config copy"
}
dropin() { # dropin NAME TEXT: a drop-in for keyagentd.service (empty TEXT removes it)
    if [ -n "$2" ]; then
        printf '[Service]\n%s\n' "$2" > "$work/share/$1.conf"
        X sh -c "mkdir -p /etc/systemd/system/keyagentd.service.d && cp /srv/test/$1.conf /etc/systemd/system/keyagentd.service.d/"
    else
        X sh -c "rm -f /etc/systemd/system/keyagentd.service.d/$1.conf"
    fi
    X systemctl daemon-reload
}
ak=/home/alice/.ssh/authorized_keys
has_key() { XQ grep -qF "$(cut -d' ' -f2 "$work/$1.pub")" "$ak"; }

"$ct" start || die "container boot"
X useradd -m -s /bin/sh alice || die "useradd alice"
X sh -c 'DEBIAN_FRONTEND=noninteractive dpkg -i /srv/test/keyagentd.deb >/dev/null' || die "dpkg -i"
dropin restart 'RestartSec=1s'

echo "== \"60\" is sixty seconds, and the start says what is in effect"
registry 1 alice1
config 60
X systemctl start keyagentd || fail "systemctl start"
has_key alice1 || fail "first sync did not write $ak"
journal_has '^registry file:///srv/test/registry.json: polled every 00:01:00 ± 00:00:00, 00:00:10 per attempt' \
    && pass "start logs: $(journal | grep -m1 'polled every')" || fail "no start line with the poll interval in effect"
sleep 3
[ "$(show keyagentd ActiveState)/$(show keyagentd NRestarts)" = active/0 ] && pass "PollInterval \"60\": still active after its first cycle, no restart" \
    || fail "PollInterval \"60\": $(show keyagentd ActiveState) NRestarts=$(show keyagentd NRestarts)"

echo "== reload applies a valid configuration and says what changed"
pid=$(show keyagentd MainPID)
mark valid
config 30 false
X systemctl reload keyagentd && pass "systemctl reload exit 0" || fail "systemctl reload of a valid file failed"
eventually 10 journal_has 'configuration reloaded, in effect from this cycle on: Delivery:AuthorizedKeysFiles true → false; Registry:PollInterval 00:01:00 → 00:00:30' \
    && pass "journal: $(journal | grep -m1 'configuration reloaded')" || fail "no 'configuration reloaded' line with the changes: $(journal_since | tail -5)"
# Files off: the daemon takes out what it wrote in the home (the helper cache feeds sshd).
eventually 10 sh -c "! '$ct' exec test -s $ak" && pass "Delivery:AuthorizedKeysFiles false took effect without a restart" \
    || fail "file delivery still on after the reload"
[ "$(show keyagentd MainPID)" = "$pid" ] && pass "reload kept the process" || fail "reload replaced the process"
config 30 true
X systemctl reload keyagentd || fail "reload back to file delivery"
eventually 10 has_key alice1 || fail "file delivery not back"

echo "== a broken file: systemctl reload fails, the old configuration keeps running"
mark broken
config 30 true --broken
registry 2 alice1 alice2
if X systemctl reload keyagentd 2>/dev/null; then fail "systemctl reload exit 0 on a broken file"
else pass "systemctl reload exits non-zero on a broken file"; fi
journal_has '^keyagentd: /etc/keyagentd/keyagentd.json:3:3: not valid JSON' \
    && pass "journal: $(journal | grep -m1 'not valid JSON' | cut -c1-160)" || fail "journal does not locate the JSON error"
[ "$(show keyagentd ActiveState)" = active ] && [ "$(show keyagentd MainPID)" = "$pid" ] \
    && pass "the daemon runs on ($pid)" || fail "after the failed reload: $(show keyagentd ActiveState) pid $(show keyagentd MainPID)"
# A SIGHUP that reaches the daemon anyway (kill -HUP skips ExecReload's check) is refused by the daemon.
# (Never `kill -HUP 0`: that would signal this script's own process group.)
[ "${pid:-0}" -gt 0 ] && X kill -HUP "$pid" || fail "no daemon to send SIGHUP to"
eventually 10 has_key alice2 && pass "SIGHUP still synced, with the old configuration" || fail "no sync after the refused reload"
eventually 10 journal_has 'configuration reload REFUSED, the daemon keeps running the configuration it had: /etc/keyagentd/keyagentd.json:3:3: not valid JSON' \
    && pass "the daemon refused the file itself and said where" || fail "no refusal line: $(journal_since | tail -5)"
err=$(XQ journalctl -u keyagentd -p err --no-pager -o cat --since "$since")
grep -q 'configuration reload REFUSED' <<<"$err" && pass "journalctl -p err shows the refusal" || fail "refusal not at error priority"
# With the broken file every command stops at it (exit 2); an empty configuration reads the default state directory.
echo '{}' > "$work/share/empty.json"
st=$(XQ keyagentd --config /srv/test/empty.json status 2>&1); st_rc=$?
[ $st_rc = 1 ] && grep -q 'reload REFUSED' <<<"$st" && pass "keyagentd status: exit 1, $(grep -o 'reload REFUSED.\{0,60\}' <<<"$st")" \
    || fail "status after a refused reload: exit $st_rc: $st"
config 30 true
X systemctl reload keyagentd || fail "reload of the fixed file"
eventually 10 journal_has 'configuration reloaded: no change' && pass "the fixed file reloads (no change from what ran)" || fail "fixed file not reloaded"

echo "== a duration out of range: exit 2 at start, one line, no restart"
config 30.00:00:00
mark range
X systemctl restart keyagentd 2>/dev/null && fail "restart succeeded with PollInterval 30 days"
sleep 3
[ "$(show keyagentd ExecMainStatus)/$(show keyagentd ActiveState)/$(show keyagentd NRestarts)" = 2/failed/0 ] \
    && pass "PollInterval 30.00:00:00: exit 2, failed, not restarted" \
    || fail "out of range: ExecMainStatus=$(show keyagentd ExecMainStatus) $(show keyagentd ActiveState) NRestarts=$(show keyagentd NRestarts)"
lines=$(journal_since | grep -vE '^(Starting|Stopped|Failed|keyagentd.service:|Main process)' )
if grep -q 'keyagentd.json:2:[0-9]*: Registry:PollInterval = "30.00:00:00" (30.00:00:00) is out of range' <<<"$lines" \
    && ! grep -qE 'Hosting failed|^\s+at ' <<<"$lines"; then
    pass "one located line: $(grep -m1 'out of range' <<<"$lines" | cut -c1-140)"
else fail "journal for the out-of-range start: $lines"; fi
X systemctl reset-failed keyagentd

echo "== a sync loop that dies is restarted"
config 60
# WATCHDOG_USEC/2 beyond what a .NET timer can wait (about 49.7 days): the loop's watchdog timer throws.
dropin watchdog 'WatchdogSec=200d'
mark death
X systemctl start keyagentd 2>/dev/null
eventually 20 sh -c "[ \"\$('$ct' exec systemctl show -p NRestarts --value keyagentd 2>/dev/null)\" -ge 1 ]" \
    && pass "the dead loop's exit was restarted by systemd (NRestarts=$(show keyagentd NRestarts))" \
    || fail "not restarted: $(show keyagentd ActiveState) Result=$(show keyagentd Result) ExecMainStatus=$(show keyagentd ExecMainStatus) NRestarts=$(show keyagentd NRestarts)"
journal_has 'the sync loop died \(ArgumentOutOfRangeException' && pass "journal: $(journal | grep -m1 'sync loop died' | cut -c1-150)" \
    || fail "no 'sync loop died' line: $(journal_since | tail -5)"
st=$(XQ journalctl -u keyagentd --no-pager -o cat --since "$since" | grep -cE '^\s+at ')
[ "$st" = 0 ] && pass "no stack trace in the journal" || fail "$st stack-trace lines"
X systemctl stop keyagentd
dropin watchdog ""

[ "$failures" = 0 ] && echo "ok: configuration and reload under systemd" || echo "$failures check(s) failed"
[ "$failures" = 0 ]
