#!/bin/bash
# The installed package under a real systemd: boots a throw-away container (container.sh), installs
# out/pkg/keyagentd_<VERSION>-1_amd64.deb (built with `make package` when missing) and drives the
# service with systemctl and journalctl:
#   install enables the unit; start returns only after the first sync (Type=notify, STATUS shown);
#   a registry change + reload reaches authorized_keys within 2 s; the hardening holds in the running
#   daemon's own mount namespace; journalctl -p warning shows warnings, not info lines; stop during
#   a large write finishes the files in progress (Result=success, exit 0); a configuration error ends
#   in exit 2 with no restart; a hung cycle stops the watchdog pings and systemd restarts the
#   daemon; the exposure score of the installed unit; upgrade restarts, remove stops, purge leaves
#   nothing; sshd is never restarted. Prints the measured figures. Root only; exit 77 = skipped.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
source tests/systemd/harness.sh
container_prerequisites ssh-keygen

t_begin=$(date +%s%N)
version="$(tr -d ' \n' < VERSION)-1"
deb=$(package_deb) || exit 1

container_workdir keyagentd-systemd

failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
die() { echo "FAIL: $*"; failures=$((failures + 1)); exit 1; }
X() { "$ct" exec "$@"; }
XQ() { "$ct" exec "$@" 2>/dev/null; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
section() { echo "== $1 (at $(( $(ms_since "$t_begin") / 1000 )) s)"; }
# eventually SECONDS CMD...: retry every 0.1 s
eventually() { local until=$(( $(date +%s) + $1 )); shift; until "$@"; do [ "$(date +%s)" -lt "$until" ] || return 1; sleep 0.1; done; }
show() { XQ systemctl show -p "$2" --value "$1"; }
# (Captured first: grep -q ending early would make journalctl die of SIGPIPE and fail the pipeline.)
journal_has() { local text; text=$(XQ journalctl -u keyagentd --no-pager -o cat); grep -qE -- "$1" <<<"$text"; }

mkdir -p "$work/share"
cp "$deb" "$work/share/keyagentd.deb"
cp tests/systemd/registry-server.py "$work/share/"
# The upgrade: the same package under a higher version.
dpkg-deb -R "$deb" "$work/upgrade" || die "dpkg-deb -R"
sed -i "s/^Version: .*/Version: ${version}+systemdtest/" "$work/upgrade/DEBIAN/control"
dpkg-deb --root-owner-group -Znone -b "$work/upgrade" "$work/share/keyagentd-upgrade.deb" >/dev/null || die "dpkg-deb -b"
rm -rf "$work/upgrade"

ssh-keygen -q -t ed25519 -N '' -C alice-laptop -f "$work/alice1"
ssh-keygen -q -t ed25519 -N '' -C alice-phone -f "$work/alice2"
# registry SERIAL [KEYS...] [--bulk ACCOUNTS KEYS] [--broken]: writes share/registry.json atomically
registry() {
    /usr/bin/python3 - "$work" "$@" <<'PY'
import base64, datetime, json, os, random, sys
work, serial, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
path = os.path.join(work, "share", "registry.json")
if "--broken" in args:
    text = '{"schema": "keyagentd.registry/v1", "serial": '
else:
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
    keys = [a for a in args if not a.startswith("--") and not a.isdigit()]
    doc = {"schema": "keyagentd.registry/v1", "serial": serial,
           "issued_at": stamp(now - datetime.timedelta(minutes=1)),
           "expires_at": stamp(now + datetime.timedelta(days=30)),
           "people": {"alice@example.com": {"keys": [
               {"key": open(os.path.join(work, k + ".pub")).read().strip(), "label": k} for k in keys]}},
           "accounts": {"alice": {"grants": ["alice@example.com"]}}}
    if "--bulk" in args:
        i = args.index("--bulk")
        accounts, count = int(args[i + 1]), int(args[i + 2])
        rng = random.Random(14)
        def key(n):
            blob = b"\0\0\0\x0bssh-ed25519\0\0\0\x20" + rng.randbytes(32)
            return {"key": "ssh-ed25519 " + base64.b64encode(blob).decode() + " bulk-%d" % n, "label": "k%d" % n}
        doc["people"]["bulk@example.com"] = {"keys": [key(n) for n in range(count)]}
        for a in range(accounts):
            doc["accounts"]["bulk%03d" % a] = {"grants": ["bulk@example.com"]}
    text = json.dumps(doc)
with open(path + ".new", "w") as f:
    f.write(text)
os.replace(path + ".new", path)
PY
}
# config URL [TIMEOUT]: the package's conffile with Registry:Url (and Registry:Timeout) set
config() {
    XQ cat /etc/keyagentd/keyagentd.json | /usr/bin/python3 -c '
import json, sys
c = json.load(sys.stdin)
c["Registry"].update(Url=sys.argv[1], Timeout=sys.argv[2], PollInterval="01:00:00", Jitter="00:00:00")
c["Safety"]["MaxRemovalPercent"] = 100
json.dump(c, sys.stdout, indent=2)' "$1" "${2:-00:00:10}" > "$work/share/keyagentd.json" || die "config"
    X cp /srv/test/keyagentd.json /etc/keyagentd/keyagentd.json || die "config copy"
}
dropin() { # dropin NAME TEXT: a drop-in for keyagentd.service (empty TEXT removes it)
    if [ -n "$2" ]; then
        printf '[Service]\n%s\n' "$2" > "$work/share/$1.conf"
        X sh -c "mkdir -p /etc/systemd/system/keyagentd.service.d && cp /srv/test/$1.conf /etc/systemd/system/keyagentd.service.d/"
    else
        X sh -c "rm -f /etc/systemd/system/keyagentd.service.d/$1.conf && rmdir --ignore-fail-on-non-empty /etc/systemd/system/keyagentd.service.d"
    fi
    X systemctl daemon-reload
}
ak=/home/alice/.ssh/authorized_keys
has_key() { XQ grep -qF "$(cut -d' ' -f2 "$work/$1.pub")" "$ak"; }

"$ct" start || die "container boot"
t_booted=$(date +%s%N)
X useradd -m -s /bin/sh alice || die "useradd alice"

# sshd, or a stand-in under its unit name: nothing in the package may restart or reload it.
if ! XQ systemctl start ssh.service; then
    printf '[Unit]\nDescription=stand-in for sshd (no openssh-server on this host)\n[Service]\nExecStart=/bin/sleep infinity\nExecReload=/bin/true\n' \
        > "$work/share/ssh.service"
    X sh -c 'cp /srv/test/ssh.service /etc/systemd/system/ssh.service && systemctl daemon-reload && systemctl start ssh.service' \
        || die "start ssh.service"
fi
ssh_id=$(show ssh InvocationID)
ssh_same() { [ "$(show ssh InvocationID)" = "$ssh_id" ] && [ "$(show ssh ActiveState)" = active ]; }

# Files that exist before the install: purge must come back to exactly this.
before=$(container_files)

section "install"
X sh -c 'DEBIAN_FRONTEND=noninteractive dpkg -i /srv/test/keyagentd.deb >/dev/null' || die "dpkg -i"
[ "$(show keyagentd UnitFileState)" = enabled ] && pass "install enables keyagentd.service" \
    || fail "not enabled after install: $(show keyagentd UnitFileState)"
[ "$(show keyagentd ActiveState)" = inactive ] && pass "no registry configured: not started" \
    || fail "started without a registry: $(show keyagentd ActiveState)"

section "start"
registry 1 alice1
config file:///srv/test/registry.json
t0=$(date +%s%N)
X systemctl start keyagentd || fail "systemctl start"
start_ms=$(ms_since "$t0")
# Checked before anything else can happen: the first cycle's file exists when start returns.
if has_key alice1; then pass "start returned after the first sync wrote $ak (${start_ms} ms)"
else fail "start returned before the first sync wrote $ak"; fi
exec_us=$(show keyagentd ExecMainStartTimestampMonotonic); ready_us=$(show keyagentd ActiveEnterTimestampMonotonic)
ready_ms=$(( (ready_us - exec_us) / 1000 ))
lines=$(XQ journalctl -u keyagentd --no-pager -o cat)
first=$(grep -E '^sync ok in|^Started ' <<<"$lines" | head -1)
if [[ $first == "sync ok in"* ]] && grep -q '^Started ' <<<"$lines"; then
    pass "journal: the first cycle's 'sync ok' line comes before systemd's 'Started'"
else fail "journal order: $(grep -E 'sync ok in|Started ' <<<"$lines" | head -3)"; fi
status=$(XQ systemctl status keyagentd --no-pager)
if grep -qE 'Status: "ok: ' <<<"$status"; then pass "systemctl status: $(grep -o 'Status: .*' <<<"$status")"
else fail "no STATUS line in systemctl status:"; echo "$status" | sed 's/^/    /'; fi

section "reload"
pid=$(show keyagentd MainPID)
registry 2 alice1 alice2
t0=$(date +%s%N)
X systemctl reload keyagentd || fail "systemctl reload"
if eventually 5 has_key alice2; then
    reload_ms=$(ms_since "$t0")
    [ "$reload_ms" -le 2000 ] && pass "reload: new key in $ak after ${reload_ms} ms" || fail "reload took ${reload_ms} ms (> 2000)"
else reload_ms=-1; fail "reload: new key never reached $ak"; fi
[ "$(show keyagentd MainPID)" = "$pid" ] && pass "reload kept the process ($pid)" || fail "reload replaced the process"

section "hardening"
pid=$(show keyagentd MainPID)
probe() { # probe PATH: write a file in the daemon's own mount namespace
    XQ nsenter -t "$pid" -m sh -c "touch '$1/.keyagentd-probe' 2>&1 && rm -f '$1/.keyagentd-probe' && echo writable"
}
for d in /etc /etc/keyagentd /usr/lib/keyagentd /var/lib/dpkg /srv/test /boot /opt; do
    X test -d "$d" || continue
    out=$(probe "$d")
    grep -q 'Read-only file system' <<<"$out" && pass "EROFS: $d" || fail "$d is not read-only for the daemon: $out"
done
for d in /home/alice/.ssh /var/lib/keyagentd /var/log/keyagentd; do
    [ "$(probe "$d")" = writable ] && pass "writable: $d" || fail "$d not writable for the daemon"
done
proc=$(XQ cat "/proc/$pid/status")
for want in 'NoNewPrivs:[[:space:]]+1' 'Seccomp:[[:space:]]+2' 'CapBnd:[[:space:]]+000000000000000f' 'CapAmb:[[:space:]]+0+$'; do
    grep -qE "$want" <<<"$proc" && pass "/proc/$pid/status $(grep -oE "$want" <<<"$proc" | tr -s '\t ' ' ')" || fail "/proc/$pid/status lacks $want"
done
X touch /tmp/keyagentd-probe
XQ nsenter -t "$pid" -m test -e /tmp/keyagentd-probe && fail "the daemon sees the system's /tmp" || pass "PrivateTmp: the system's /tmp is not the daemon's"
X rm -f /tmp/keyagentd-probe
exposure_out=$(XQ systemd-analyze security keyagentd --no-pager)
exposure=$(grep -oE 'Overall exposure level for keyagentd.service: [0-9.]+' <<<"$exposure_out" | awk '{print $NF}')
# What the daemon needs, each item with its reason in the README ("Hardening, measured"). Anything
# else flagged is a regression.
accepted='User=/DynamicUser=|RootDirectory=/RootImage=|ProtectHome=|PrivateUsers=|PrivateNetwork=|IPAddressDeny=|RestrictAddressFamilies=~AF_UNIX|RestrictAddressFamilies=~AF_\(INET\|INET6\)|CapabilityBoundingSet=~CAP_\(DAC_\*\|FOWNER\|IPC_OWNER\)|CapabilityBoundingSet=~CAP_\(CHOWN\|FSETID\|SETFCAP\)|SystemCallFilter=~@privileged|DeviceAllow='
unexpected=$(grep '✗' <<<"$exposure_out" | awk '{print $2}' | grep -vxE "$accepted")
if [ -n "$exposure" ] && [ -z "$unexpected" ]; then
    pass "systemd-analyze security keyagentd: exposure $exposure, only the items the daemon needs"
else
    fail "systemd-analyze security: exposure ${exposure:-?}, unexpected: $(echo $unexpected)"
fi
section "journal priorities"
registry 3 --broken
X systemctl reload keyagentd
eventually 10 journal_has 'unusable, keeping last-known-good' || fail "no warning for a broken registry"
warn=$(XQ journalctl -u keyagentd -p warning --no-pager -o cat)
all=$(XQ journalctl -u keyagentd --no-pager -o cat)
grep -q 'unusable, keeping last-known-good' <<<"$warn" && pass "journalctl -p warning shows the daemon's warning" || fail "warning missing from -p warning"
if grep -qE '^sync [a-z-]+ in [0-9.]+s' <<<"$all" && ! grep -qE '^sync [a-z-]+ in [0-9.]+s|Started |Reloading' <<<"$warn"; then
    pass "journalctl -p warning leaves out the info lines (sync summaries, systemd's own)"
else fail "info lines under -p warning: $(grep -E '^sync |Started ' <<<"$warn" | head -3)"; fi
registry 4 alice1 alice2
X systemctl reload keyagentd
eventually 10 journal_has 'serial 4' || fail "no cycle after restoring the registry"

section "configuration error"
dropin restart 'RestartSec=1s'
config ""
X systemctl restart keyagentd 2>/dev/null && fail "restart succeeded without Registry:Url"
sleep 3
st=$(show keyagentd ExecMainStatus); as=$(show keyagentd ActiveState); sub=$(show keyagentd SubState); nr=$(show keyagentd NRestarts)
[ "$st/$as/$sub/$nr" = 2/failed/failed/0 ] && pass "no Registry:Url: exit 2, failed, no restart 3 s later (RestartSec=1s)" \
    || fail "configuration error: ExecMainStatus=$st ActiveState=$as SubState=$sub NRestarts=$nr"
journal_has 'Registry:Url is not set' && pass "journal names Registry:Url" || fail "journal does not name the setting"
X systemctl reset-failed keyagentd

section "watchdog"
port=8931
X systemd-run --quiet --unit keyagentd-test-registry /usr/bin/python3 /srv/test/registry-server.py "$port" /srv/test/registry.json /srv/test/hang \
    || die "registry server"
eventually 10 XQ bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" || die "registry server not listening"
dropin watchdog 'WatchdogSec=5s'
config "http://127.0.0.1:$port/registry.json" 01:00:00
X systemctl restart keyagentd || fail "start with the HTTP registry"
[ "$(show keyagentd WatchdogUSec)" = 5s ] || fail "WatchdogSec drop-in not applied: $(show keyagentd WatchdogUSec)"
sleep 11   # two watchdog timeouts of a healthy, idle daemon
[ "$(show keyagentd NRestarts)" = 0 ] && [ "$(show keyagentd ActiveState)" = active ] \
    && pass "an idle daemon keeps the watchdog fed (11 s at WatchdogSec=5s)" || fail "idle daemon restarted by the watchdog"
# The next cycle's request is accepted and never answered (Registry:Timeout is an hour).
touch "$work/share/hang"
X systemctl reload keyagentd
eventually 20 journal_has 'Watchdog timeout' || fail "no watchdog timeout for a hung cycle"
rm -f "$work/share/hang"
eventually 20 sh -c "[ \"\$('$ct' exec systemctl show -p NRestarts --value keyagentd 2>/dev/null)\" = 1 ] && [ \"\$('$ct' exec systemctl is-active keyagentd 2>/dev/null)\" = active ]" \
    || fail "not restarted after the watchdog: $(show keyagentd ActiveState) NRestarts=$(show keyagentd NRestarts)"
journal_has 'past its watchdog budget' && pass "journal: the daemon said why the pings stopped" || fail "no 'past its watchdog budget' line"
wd=$(XQ journalctl -u keyagentd --no-pager -o short-unix | grep -E 'Reloading keyagentd|watchdog budget|Watchdog timeout|Main process exited|Scheduled restart|Started keyagentd' | tail -7)
sed 's/^/    /' <<<"$wd"
at() { grep -E "$1" <<<"$wd" | tail -1 | awk '{print $1}'; }
read -r wd_ms back_ms < <(awk -v r="$(at 'Reloading keyagentd')" -v w="$(at 'Watchdog timeout')" -v s="$(at 'Started keyagentd')" \
    'BEGIN { printf "%d %d\n", (w - r) * 1000, (s - w) * 1000 }')
# In theory 5-7.5 s (the last ping falls up to WatchdogSec/2 after the cycle began); the upper bound
# leaves 2 s for the reload to reach the daemon and for systemd's own timer slack on a loaded machine.
if [ "$wd_ms" -ge 5000 ] && [ "$wd_ms" -le 9500 ] && [ "$back_ms" -gt 0 ]; then
    pass "hung cycle: killed ${wd_ms} ms after it began (WatchdogSec=5s: 5-7.5 s), READY again ${back_ms} ms later (RestartSec=1s)"
else fail "watchdog timing: killed ${wd_ms} ms after the hung cycle began, READY ${back_ms} ms later"; fi
X systemctl stop keyagentd-test-registry
dropin watchdog ""
config file:///srv/test/registry.json
X systemctl restart keyagentd || fail "restart with the file registry"

section "stop during a large write"
accounts=150 keys=1500
X bash -c "for i in \$(seq -f %03g 0 $((accounts - 1))); do
           u=bulk\$i; echo \"\$u:x:\$((20000 + 10#\$i)):\$((20000 + 10#\$i))::/home/\$u:/bin/sh\" >> /etc/passwd
           echo \"\$u:x:\$((20000 + 10#\$i)):\" >> /etc/group; mkdir -m 0755 /home/\$u; chown \$u: /home/\$u; done" \
    || die "bulk accounts"
registry 6 alice1 alice2 --bulk "$accounts" "$keys"
X systemctl reload keyagentd
# Stop as soon as the first bulk file is in place: the cycle still has most accounts to write.
X timeout 120 sh -c 'until ls /home/bulk*/.ssh/authorized_keys >/dev/null 2>&1; do sleep 0.01; done' || fail "no bulk file written"
t0=$(date +%s%N)
X systemctl stop keyagentd; stop_rc=$?
stop_ms=$(ms_since "$t0")
[ $stop_rc = 0 ] && pass "systemctl stop exit 0 (${stop_ms} ms)" || fail "systemctl stop exit $stop_rc"
res=$(show keyagentd Result); st=$(show keyagentd ExecMainStatus); code=$(show keyagentd ExecMainCode)
[ "$res/$st/$code" = success/0/1 ] && pass "Result=success, main process exited 0" || fail "Result=$res ExecMainStatus=$st ExecMainCode=$code"
counts=$(XQ sh -c 'for f in /home/bulk*/.ssh/authorized_keys; do [ -e "$f" ] && grep -c "^ssh-ed25519 " "$f"; done' | sort | uniq -c)
written=$(XQ sh -c 'ls /home/bulk*/.ssh/authorized_keys 2>/dev/null' | wc -l)
leftover=$(XQ sh -c 'find /home/bulk*/.ssh -mindepth 1 ! -name authorized_keys 2>/dev/null')
if [ "$(awk '{print $2}' <<<"$counts" | sort -u)" = "$keys" ] && [ -z "$leftover" ]; then
    pass "every file written is complete ($written of $accounts accounts, $keys keys each), no temporary file left"
else fail "incomplete files after stop: counts [$counts] leftovers [$leftover]"; fi
# The stop must have arrived while the cycle ran: systemd's "Stopping" before the cycle's summary.
order=$(XQ journalctl -u keyagentd --no-pager -o cat | grep -E '^Stopping keyagentd|^sync [a-z-]+ in .*serial 6:' | tail -2)
if [ "$(head -1 <<<"$order" | cut -c1-8)" = Stopping ] && grep -q '^sync ' <<<"$order"; then
    pass "the stop arrived during the cycle, which finished its writes first: $(grep '^sync ' <<<"$order" | cut -d';' -f1)"
else fail "the stop did not arrive during the cycle: $order"; fi
X keyagentd audit verify >/dev/null && pass "keyagentd audit verify: the audit chain is intact" || fail "audit log damaged by the stop"
journal_has 'Deactivated successfully' && pass "journal: clean stop" || fail "journal: no clean stop"
dropin restart ""
X systemctl start keyagentd || fail "start after the stop"

section "upgrade"
pid=$(show keyagentd MainPID); inv=$(show keyagentd InvocationID)
X sh -c 'DEBIAN_FRONTEND=noninteractive dpkg -i --force-confold /srv/test/keyagentd-upgrade.deb >/dev/null' || fail "upgrade"
[ "$(XQ dpkg-query -W -f='${Version}' keyagentd)" = "${version}+systemdtest" ] || fail "not upgraded"
if [ "$(show keyagentd ActiveState)" = active ] && [ "$(show keyagentd InvocationID)" != "$inv" ] && [ "$(show keyagentd MainPID)" != "$pid" ]; then
    pass "upgrade restarted the daemon (pid $pid -> $(show keyagentd MainPID))"
else fail "upgrade did not restart: $(show keyagentd ActiveState) pid $(show keyagentd MainPID)"; fi
[ "$(show keyagentd UnitFileState)" = enabled ] && pass "still enabled after upgrade" || fail "upgrade changed enablement"
XQ grep -q '"MaxRemovalPercent": 100' /etc/keyagentd/keyagentd.json && pass "edited conffile kept" || fail "conffile replaced"

section "remove and purge"
stops() { XQ journalctl -u keyagentd --no-pager -o cat | grep -c '^Stopped keyagentd.service'; }
[ "$(show keyagentd ActiveState)" = active ] || fail "not running before dpkg -r"
n=$(stops)
X sh -c 'dpkg -r keyagentd >/dev/null' || fail "dpkg -r"
[ "$(show keyagentd ActiveState)" = inactive ] && [ "$(stops)" -gt "$n" ] \
    && pass "remove stopped the daemon" || fail "after dpkg -r: $(show keyagentd ActiveState), stops $n -> $(stops)"
X sh -c 'dpkg -P keyagentd >/dev/null' || fail "dpkg -P"
changed=$(files_changed "$before" "$(container_files)")
[ -z "$changed" ] && pass "purge: the file system is back to its state before install" \
    || fail "after purge: $(echo $changed)"
XQ getent passwd keyagentd >/dev/null && fail "keyagentd user left after purge" || pass "purge: no keyagentd user"
[ "$(show keyagentd LoadState)" = not-found ] && pass "purge: unit unknown to systemd" || fail "unit still $(show keyagentd LoadState)"
has_key alice2 && pass "purge kept alice's authorized_keys" || fail "purge touched $ak"
ssh_same && pass "ssh.service never restarted ($(show ssh InvocationID | cut -c1-8)… unchanged)" || fail "ssh.service was restarted"
ssh_log=$(XQ journalctl -u ssh --no-pager -o cat)
grep -qE 'Reloading|Stopping' <<<"$ssh_log" && fail "ssh.service was reloaded or stopped" || pass "ssh.service never reloaded"

section "figures"
echo "  boot (container start)            $(( (t_booted - t_begin) / 1000000 )) ms since the test began"
echo "  start to READY (systemd)          ${ready_ms} ms  (ActiveEnterTimestampMonotonic - ExecMainStartTimestampMonotonic)"
echo "  systemctl start wall time         ${start_ms} ms"
echo "  reload to file                    ${reload_ms} ms  (systemctl reload until the new key is in $ak)"
echo "  stop during the large write       ${stop_ms} ms  ($written of $accounts files of $keys keys written)"
echo "  watchdog (WatchdogSec=5s)         killed ${wd_ms} ms after the hung cycle began, READY again ${back_ms} ms later"
echo "  exposure                          ${exposure:-?}  (systemd-analyze security keyagentd)"
echo "  total                             $(ms_since "$t_begin") ms"
[ "$failures" = 0 ] && echo "ok: keyagentd under systemd" || echo "$failures check(s) failed"
[ "$failures" = 0 ]
