#!/bin/bash
# Never lock out, under a real systemd (a throw-away container, container.sh): after `dpkg -i` the
# sshd drop-in's RevokedKeys file exists and ssh-keygen -Q reads it as a KRL that revokes nothing;
# dpkg -i prints the next steps; `status` before any configuration names Registry:Url; a first start
# with the registry unreachable (and no KRL, as an older package left it) still has the KRL in place
# when `systemctl start` returns (before READY); `doctor root` fails the failed sync and a missing
# KRL; sshd -t accepts the shipped drop-in. Root only; exit 77 = skipped.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
skip() { echo "skip: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (namespaces, mounts, cgroups)"
for tool in unshare nsenter setpriv dpkg-deb ssh-keygen /usr/bin/python3 /lib/systemd/systemd; do
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

work=$(mktemp -d /tmp/keyagentd-first-start.XXXXXX)
export CT_DIR=$work
ct=$repo/tests/systemd/container.sh
cleanup() {
    local rc=$?
    "$ct" stop || rc=1
    grep -qF " $work/" /proc/self/mountinfo || rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
die() { echo "FAIL: $*"; exit 1; }
X() { "$ct" exec "$@"; }
XQ() { "$ct" exec "$@" 2>/dev/null; }
show() { XQ systemctl show -p "$2" --value "$1"; }
krl=/var/lib/keyagentd/revoked_keys.krl

mkdir -p "$work/share"
cp "$deb" "$work/share/keyagentd.deb"
ssh-keygen -q -t ed25519 -N '' -C probe -f "$work/share/probe"
# revokes_nothing: the KRL is one ssh-keygen reads, and a key is not revoked by it (exit 0, "ok").
revokes_nothing() { local out; out=$(XQ ssh-keygen -Q -f "$krl" /srv/test/probe.pub) && grep -q ': ok$' <<<"$out"; }

"$ct" start || die "container boot"

echo "== dpkg -i"
out=$(X sh -c 'DEBIAN_FRONTEND=noninteractive dpkg -i /srv/test/keyagentd.deb 2>&1') || die "dpkg -i: $out"
grep -q 'Next steps:' <<<"$out" && grep -q 'Registry:Url' <<<"$out" && grep -q 'allowed_signers' <<<"$out" \
    && grep -q 'sshd -t' <<<"$out" && pass "dpkg -i prints the next steps" || fail "no next steps after dpkg -i: $out"
[ "$(XQ stat -c '%a %U:%G' "$krl")" = "644 root:root" ] && pass "dpkg -i wrote $krl (0644 root:root)" \
    || fail "$krl after dpkg -i: $(XQ stat -c '%a %U:%G' "$krl" || echo missing)"
revokes_nothing && pass "ssh-keygen -Q reads $krl as a KRL that revokes nothing" || fail "ssh-keygen -Q on $krl"
st=$(XQ keyagentd status); rc=$?
[ "$rc" = 1 ] && grep -q 'Registry:Url is not set' <<<"$st" && pass "status before configuration: exit 1, names Registry:Url" \
    || fail "status before configuration (exit $rc): $st"
if XQ test -x /usr/sbin/sshd; then
    X cp /usr/share/keyagentd/sshd_config.d/keyagentd.conf /etc/ssh/sshd_config.d/keyagentd.conf
    XQ mkdir -p /run/sshd
    XQ sshd -t && pass "sshd -t accepts the shipped drop-in" || fail "sshd -t rejects the shipped drop-in: $(X sshd -t 2>&1)"
fi

echo "== first start, registry unreachable, no KRL yet"
X rm -f "$krl"
XQ cat /etc/keyagentd/keyagentd.json | /usr/bin/python3 -c '
import json, sys
c = json.load(sys.stdin)
c["Registry"].update(Url="http://127.0.0.1:9/registry.json", Timeout="00:00:02")
json.dump(c, sys.stdout, indent=2)' > "$work/share/keyagentd.json" || die "config"
X cp /srv/test/keyagentd.json /etc/keyagentd/keyagentd.json || die "config copy"
X systemctl start keyagentd || fail "systemctl start with the registry unreachable"
# Checked at once: READY comes after the first cycle, so the KRL must be there when start returns.
XQ test -f "$krl" && pass "the KRL exists when systemctl start returns (registry unreachable)" || fail "no $krl after start"
revokes_nothing && pass "ssh-keygen -Q accepts the daemon's KRL, revoking nothing" || fail "ssh-keygen -Q on the daemon's $krl"
[ "$(show keyagentd ActiveState)" = active ] && pass "daemon running" || fail "daemon $(show keyagentd ActiveState)"
st=$(XQ keyagentd status); rc=$?
[ "$rc" = 1 ] && pass "status exits 1 after a registry-unusable cycle" || fail "status exit $rc: $st"
if XQ test -x /usr/sbin/sshd; then
    doc=$(XQ keyagentd doctor root); rc=$?
    [ "$rc" = 1 ] && grep -q 'last-sync-failed: .*registry-unusable' <<<"$doc" \
        && pass "doctor root: exit 1, last-sync-failed registry-unusable" || fail "doctor root (exit $rc): $doc"
    X systemctl stop keyagentd
    X rm -f "$krl"
    doc=$(XQ keyagentd doctor root); rc=$?
    [ "$rc" = 1 ] && grep -q "FAIL  sshd-krl-missing: RevokedKeys $krl does not exist" <<<"$doc" \
        && pass "doctor root: exit 1, sshd-krl-missing" || fail "doctor root with no KRL (exit $rc): $doc"
fi

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ok: never locked out from dpkg -i to a first start with the registry down"
