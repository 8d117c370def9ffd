#!/bin/bash
# The keyagentd-registry package under a real systemd (a throw-away container, container.sh), on a
# build machine that has no keyagentd: installs out/pkg/keyagentd-registry_<VERSION>-1_amd64.deb
# (built with `make package` when missing); `keyagentd-registry --version` is VERSION; it validates,
# builds and signs examples/registry-source (two signers, checked with ssh-keygen -Y verify); the
# package neither depends on keyagentd nor installs, starts or creates anything of the host agent
# (no package, unit, process or system user); upgrade to the same package under a higher version;
# remove takes the program away; purge leaves nothing (dpkg -L fails, the file system is back to
# its state before install). KEYAGENTD_REGISTRY_DEB=FILE tests that package instead. Root only;
# exit 77 = skipped.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/systemd/harness.sh
container_prerequisites ssh-keygen
if dpkg-query -W -f='${db:Status-Status}' keyagentd-registry 2>/dev/null | grep -qv '^not-installed$'; then
    skip "keyagentd-registry is installed on this host; the container would start with it installed"
fi

t_begin=$(date +%s%N)
upstream=$(tr -d ' \n' < VERSION)
version="$upstream-1"
deb=${KEYAGENTD_REGISTRY_DEB:-$(package_deb keyagentd-registry)} || exit 1

container_workdir keyagentd-registry-systemd

failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
die() { echo "FAIL: $*"; failures=$((failures + 1)); exit 1; }
X() { "$ct" exec "$@"; }
XQ() { "$ct" exec "$@" 2>/dev/null; }
section() { echo "== $1 (at $(( ($(date +%s%N) - t_begin) / 1000000000 )) s)"; }

share=$work/share
mkdir -p "$share"
cp "$deb" "$share/keyagentd-registry.deb"
# The upgrade: the same package under a higher version.
dpkg-deb -R "$deb" "$work/upgrade" || die "dpkg-deb -R"
sed -i "s/^Version: .*/Version: ${version}+systemdtest/" "$work/upgrade/DEBIAN/control"
dpkg-deb --root-owner-group -Znone -b "$work/upgrade" "$share/keyagentd-registry-upgrade.deb" >/dev/null || die "dpkg-deb -b"
rm -rf "$work/upgrade"
cp -r examples/registry-source "$share/source"
ssh-keygen -q -t ed25519 -N '' -C first-signer -f "$share/signer1"
ssh-keygen -q -t ed25519 -N '' -C second-signer -f "$share/signer2"
for n in 1 2; do
    echo "signer$n@example.com namespaces=\"keyagentd-registry\" $(cut -d' ' -f1,2 "$share/signer$n.pub")"
done > "$share/allowed_signers"
hosts=$(grep -oE '^[a-z0-9.-]+:' examples/registry-source/hosts.yaml | tr -d :)
[ -n "$hosts" ] || die "no host in examples/registry-source/hosts.yaml"

# Depends, Pre-Depends and Recommends are what dpkg and apt install with it.
pulls=$(dpkg-deb -f "$deb" Pre-Depends Depends Recommends | grep -E '(^|[ ,|:])keyagentd([ ,(|]|$)')
[ -z "$pulls" ] && pass "the control file names no keyagentd dependency" || fail "keyagentd-registry pulls in the host package: $pulls"

"$ct" start || die "container boot"
# Nothing of the host agent, before and after: package, unit, process, system user.
host_agent() {
    XQ dpkg-query -W -f='package ${db:Status-Status}\n' keyagentd | grep -v 'not-installed'
    local load; load=$(XQ systemctl show -p LoadState --value keyagentd.service)
    [ "$load" = not-found ] || echo "unit keyagentd.service $load"
    XQ systemctl list-units --all --no-legend --plain 'keyagentd*.service' 'keyagentd*.socket' 'keyagentd*.timer' 'keyagentd*.path' | sed 's/^/unit /'
    XQ ps -eo comm= | grep -x 'keyagentd' | sed 's/^/process /'
    XQ getent passwd keyagentd | sed 's/^/user /'
    return 0
}
agent=$(host_agent)
[ -z "$agent" ] || die "the container has the host agent before the install: $agent"
before=$(container_files)

section "install"
X sh -c 'DEBIAN_FRONTEND=noninteractive dpkg -i /srv/test/keyagentd-registry.deb >/dev/null' || die "dpkg -i"
[ "$(XQ dpkg-query -W -f='${db:Status-Status} ${Version}' keyagentd-registry)" = "installed $version" ] \
    && pass "installed keyagentd-registry $version" || fail "not installed: $(XQ dpkg-query -W keyagentd-registry)"
[ "$(XQ readlink -f /usr/bin/keyagentd-registry)" = /usr/lib/keyagentd-registry/keyagentd-registry ] \
    && pass "/usr/bin/keyagentd-registry -> /usr/lib/keyagentd-registry/keyagentd-registry" || fail "/usr/bin/keyagentd-registry link"
got=$(XQ keyagentd-registry --version)
[ "$got" = "$upstream" ] && pass "keyagentd-registry --version: $got (VERSION)" || fail "keyagentd-registry --version printed '$got', VERSION is $upstream"
agent=$(host_agent)
[ -z "$agent" ] && pass "install brought nothing of the host agent (no keyagentd package, unit, process or user)" \
    || fail "installing keyagentd-registry brought the host agent: $agent"

section "validate, build, sign"
# As the build machine's operator would: a copy of the source, output and state in root's home.
X sh -c 'cp -r /srv/test/source /root/source' || die "copy the source"
out=$(X keyagentd-registry validate /root/source 2>&1) && pass "validate examples/registry-source" \
    || fail "validate exited $?: $out"
out=$(X keyagentd-registry build /root/source --out /root/out --state-dir /root/registry-state --sign-key /srv/test/signer1 2>&1) \
    && pass "build examples/registry-source signed by the first signer" || fail "build exited $?: $out"
out=$(X keyagentd-registry sign /root/out --key /srv/test/signer2 --allowed-signers /srv/test/allowed_signers --source /root/source 2>&1) \
    && pass "sign: the second signer added" || fail "sign exited $?: $out"
# ssh-keygen, the oracle: every host's document verifies for the signer whose block comes first,
# and the second signer's block is there too.
bad=""
for h in $hosts; do
    XQ sh -c "ssh-keygen -Y verify -f /srv/test/allowed_signers -I signer1@example.com -n keyagentd-registry \
              -s /root/out/$h.json.sig < /root/out/$h.json" >/dev/null || bad="$bad $h"
    [ "$(XQ grep -c 'BEGIN SSH SIGNATURE' "/root/out/$h.json.sig")" = 2 ] || bad="$bad $h(blocks)"
done
[ -z "$bad" ] && pass "ssh-keygen -Y verify accepts every document ($(echo $hosts | wc -w) hosts, 2 signature blocks each)" \
    || fail "documents ssh-keygen does not accept as signed twice:$bad"
agent=$(host_agent)
[ -z "$agent" ] && pass "building and signing started nothing of the host agent" || fail "after the build: $agent"

section "upgrade"
X sh -c 'DEBIAN_FRONTEND=noninteractive dpkg -i /srv/test/keyagentd-registry-upgrade.deb >/dev/null' || fail "upgrade"
[ "$(XQ dpkg-query -W -f='${db:Status-Status} ${Version}' keyagentd-registry)" = "installed ${version}+systemdtest" ] \
    && pass "upgraded to ${version}+systemdtest" || fail "not upgraded: $(XQ dpkg-query -W keyagentd-registry)"
out=$(X keyagentd-registry validate /root/source 2>&1) && pass "validate after the upgrade" || fail "validate after the upgrade exited $?: $out"

section "remove and purge"
X sh -c 'dpkg -r keyagentd-registry >/dev/null' || fail "dpkg -r"
X test -e /usr/lib/keyagentd-registry/keyagentd-registry || X test -L /usr/bin/keyagentd-registry \
    && fail "the program is still there after dpkg -r" || pass "remove took the program away"
out=$(X dpkg -P keyagentd-registry 2>&1) || fail "dpkg -P: $out"
XQ dpkg -L keyagentd-registry >/dev/null && fail "dpkg -L still lists keyagentd-registry after purge" \
    || pass "purge: dpkg -L keyagentd-registry: not installed"
changed=$(files_changed "$before" "$(container_files)")
[ -z "$changed" ] && pass "purge: the file system is back to its state before install" \
    || fail "after purge: $(echo $changed)"
agent=$(host_agent)
[ -z "$agent" ] && pass "purge: still nothing of the host agent" || fail "after purge: $agent"

echo "  total $(( ($(date +%s%N) - t_begin) / 1000000 )) ms"
[ "$failures" = 0 ] && echo "ok: keyagentd-registry installs, builds and signs, upgrades and purges under systemd" \
    || echo "$failures check(s) failed"
[ "$failures" = 0 ]
