#!/usr/bin/env bash
# The Debian packages, installed for real: build them (make package), both pass lintian; keyagentd:
# dpkg -i, check files, modes, owners and the system user; sync a real account from a file://
# registry; status and doctor; upgrade to a higher version keeping an edited conffile; dpkg -r, then
# dpkg -P leaves no file behind and never touches the account's authorized_keys. keyagentd-registry:
# install, validate/build/sign a source with it, upgrade, purge, nothing left. Root on Debian only; bounded in time;
# removes everything it installed, even on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
skip() { echo "skip: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (dpkg -i, useradd)"
command -v dpkg-deb >/dev/null && command -v dpkg >/dev/null || skip "dpkg-deb not installed (apt-get install dpkg-dev)"
command -v ssh-keygen >/dev/null || skip "ssh-keygen not installed"
command -v useradd >/dev/null || skip "useradd not available"
[ "$(dpkg --print-architecture)" = amd64 ] || skip "the package is linux-x64 (amd64) only"
for package in keyagentd keyagentd-registry; do
  if dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null | grep -qv '^not-installed$'; then
    skip "a $package package is already installed on this machine; not touching it"
  fi
done
[ -e /etc/keyagentd ] && skip "/etc/keyagentd already exists on this machine; not touching it"

T() { timeout "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
user="kapkg$$"
work=$(mktemp -d /tmp/keyagentd-pkg.XXXXXX)
cleanup() {
  rc=$?
  for package in keyagentd keyagentd-registry; do
    if dpkg-query -W "$package" >/dev/null 2>&1; then T 120 dpkg -P "$package" >/dev/null 2>&1 || true; fi
  done
  getent passwd "$user" >/dev/null && userdel -r "$user" >/dev/null 2>&1 || true
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT

snapshot_files() { # the file list dpkg -P must restore; minus files that churn on their own
  find /etc /usr /var/lib /var/log -xdev 2>/dev/null \
    | grep -Ev '^/var/lib/(dpkg/(lock|triggers/|[a-z]+-old$|status$|available$)|apt/|systemd/(timers|coredump|catalog)|logrotate/)|^/var/log/(journal|apt|dpkg\.log|alternatives\.log|lastlog|wtmp|btmp|faillog)|^/etc/(passwd|group|shadow|gshadow|subuid|subgid)(-|\.lock|\.[0-9]+)?$|^/etc/\.pwd\.lock$|^/etc/ld\.so\.cache$' \
    | sort
}

# 1. Build two versions (the second reuses the first's publish).
# SKIP_PUBLISH=1 in the environment reuses an earlier out/pkg/publish (local iteration only).
T 1800 make -s package ARCHS=amd64 >/dev/null || fail "make package"
deb1=$(ls out/pkg/keyagentd_*_amd64.deb); cp "$deb1" "$work/"; deb1="$work/$(basename "$deb1")"
reg1=$(ls out/pkg/keyagentd-registry_*_amd64.deb); cp "$reg1" "$work/"; reg1="$work/$(basename "$reg1")"
SKIP_PUBLISH=1 T 600 make -s package ARCHS=amd64 VERSION_SUFFIX=+test2 >/dev/null || fail "make package VERSION_SUFFIX=+test2"
deb2=$(ls out/pkg/keyagentd_*+test2_amd64.deb); cp "$deb2" "$work/"; deb2="$work/$(basename "$deb2")"
reg2=$(ls out/pkg/keyagentd-registry_*+test2_amd64.deb); cp "$reg2" "$work/"; reg2="$work/$(basename "$reg2")"
dpkg --compare-versions "$(dpkg-deb -f "$deb2" Version)" gt "$(dpkg-deb -f "$deb1" Version)" || fail "second version does not sort higher"
if command -v lintian >/dev/null; then
  T 600 lintian --fail-on error "$deb1" || fail "lintian reports errors in $deb1"
  T 600 lintian --fail-on error "$reg1" || fail "lintian reports errors in $reg1"
else
  echo "note: lintian not installed, not linting"
fi

# 2. A real account with some keys of its own.
useradd -m -s /bin/sh "$user"
home=$(getent passwd "$user" | cut -d: -f6)
ssh-keygen -q -t ed25519 -N '' -C "alice laptop" -f "$work/alice"
ssh-keygen -q -t ecdsa -b 384 -N '' -C "ci bot" -f "$work/ci"
before=$(snapshot_files)

# 3. Install and check the layout.
mode_owner() { stat -c '%a %U:%G' "$1"; }
expect() { [ "$(mode_owner "$1")" = "$2 $3" ] || fail "$1: $(mode_owner "$1"), expected $2 $3"; }
installed=$(DEBIAN_FRONTEND=noninteractive T 180 dpkg -i "$deb1" 2>&1) || fail "dpkg -i $deb1: $installed"
grep -q 'Next steps:' <<<"$installed" && grep -q 'Registry:Url' <<<"$installed" || fail "dpkg -i printed no next steps: $installed"
# sshd refuses every key while the drop-in's RevokedKeys file is missing: it exists from dpkg -i on,
# a KRL ssh-keygen reads, revoking nothing (no registry configured, no network).
krl=/var/lib/keyagentd/revoked_keys.krl
expect "$krl" 644 root:root
q=$(ssh-keygen -Q -f "$krl" "$work/alice.pub") && grep -q ': ok$' <<<"$q" || fail "ssh-keygen -Q -f $krl: $q"
expect /usr/lib/keyagentd 755 root:root
expect /usr/lib/keyagentd/keyagentd 755 root:root
[ "$(readlink -f /usr/sbin/keyagentd)" = /usr/lib/keyagentd/keyagentd ] || fail "/usr/sbin/keyagentd link"
expect /lib/systemd/system/keyagentd.service 644 root:root
expect /etc/keyagentd/keyagentd.json 644 root:root
expect /etc/logrotate.d/keyagentd 644 root:root
expect /usr/share/keyagentd/sshd_config.d/keyagentd.conf 644 root:root
expect /usr/share/man/man8/keyagentd.8.gz 644 root:root
expect /usr/share/doc/keyagentd/copyright 644 root:root
expect /usr/share/keyagentd/monitoring/keyagentd.rules.yml 644 root:root
expect /usr/share/keyagentd/monitoring/grafana/keyagentd-fleet.json 644 root:root
expect /usr/share/doc/keyagentd/runbooks.md 644 root:root
if command -v promtool >/dev/null; then
  promtool check rules /usr/share/keyagentd/monitoring/keyagentd.rules.yml >/dev/null || fail "promtool check rules on the installed rules"
fi
expect /var/lib/keyagentd 755 root:root
[ "$(stat -c '%a %U' /var/log/keyagentd)" = "750 root" ] || fail "/var/log/keyagentd: $(mode_owner /var/log/keyagentd)"
[ ! -e /etc/ssh/sshd_config.d/keyagentd.conf ] || fail "the sshd drop-in must not be active after install"
# sshd demands the AuthorizedKeysCommand and every directory above it be root-owned, not g/o-writable.
bad=$(dpkg -L keyagentd | while read -r f; do find "$f" -maxdepth 0 ! -type l \( ! -user root -o ! -group root -o -perm /022 \) -print; done)
[ -z "$bad" ] || fail "files not root:root or group/world-writable: $bad"
IFS=: read -r _ _ kuid _ _ khome kshell < <(getent passwd keyagentd) || fail "no keyagentd user"
[ "$kuid" -lt 1000 ] && [ "$khome" = /nonexistent ] || fail "keyagentd user: uid $kuid home $khome"
getent group keyagentd >/dev/null || fail "no keyagentd group"
have_keys=0; [ -x /usr/lib/keyagentd/keyagentd-keys ] && have_keys=1
[ $have_keys = 1 ] && expect /usr/lib/keyagentd/keyagentd-keys 755 root:root
man -l /usr/share/man/man8/keyagentd.8.gz >/dev/null 2>&1 || zcat /usr/share/man/man8/keyagentd.8.gz | grep -q '^\.SH EXIT STATUS' || fail "man page"
if command -v systemd-analyze >/dev/null; then
  T 60 systemd-analyze verify /lib/systemd/system/keyagentd.service || fail "systemd-analyze verify"
fi

# 4. Configure a file:// registry and sync the account.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ); later=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)
cat > "$work/registry.json" <<JSON
{
  "schema": "keyagentd.registry/v1",
  "serial": 7,
  "issued_at": "$now",
  "expires_at": "$later",
  "people": { "alice@example.com": { "keys": [ { "key": "$(cat "$work/alice.pub")", "label": "laptop" } ] } },
  "accounts": { "$user": { "grants": ["alice@example.com"],
                           "keys": [ { "key": "$(cat "$work/ci.pub")", "owner": "ci" } ] } }
}
JSON
python3 - "$work/registry.json" <<'PY'
import json, sys
p = "/etc/keyagentd/keyagentd.json"
c = json.load(open(p))
c["Registry"]["Url"] = "file://" + sys.argv[1]
c["Safety"]["MaxRemovalPercent"] = 40   # the operator's edit the upgrade must keep
json.dump(c, open(p, "w"), indent=2)
PY
T 120 keyagentd sync || fail "keyagentd sync exited $?"
ak="$home/.ssh/authorized_keys"
[ -f "$ak" ] || fail "no $ak"
[ "$(stat -c '%U %a' "$ak")" = "$user 600" ] || fail "$ak: $(stat -c '%U %a' "$ak")"
[ "$(stat -c '%U %a' "$home/.ssh")" = "$user 700" ] || fail "$home/.ssh: $(stat -c '%U %a' "$home/.ssh")"
for k in alice ci; do grep -qF "$(cut -d' ' -f2 "$work/$k.pub")" "$ak" || fail "$k's key not in $ak"; done
[ -s /var/log/keyagentd/audit.jsonl ] || fail "no audit log"
T 60 keyagentd status || fail "keyagentd status exited $?"
T 60 keyagentd doctor "$user" || fail "keyagentd doctor $user exited $?"
T 60 keyagentd audit verify || fail "keyagentd audit verify exited $?"
if [ $have_keys = 1 ]; then
  fp=$(ssh-keygen -l -f "$work/alice.pub" | cut -d' ' -f2)
  out=$(T 30 runuser -u keyagentd -- /usr/lib/keyagentd/keyagentd-keys "$user" "$fp") || fail "keyagentd-keys as keyagentd"
  grep -qF "$(cut -d' ' -f2 "$work/alice.pub")" <<<"$out" || fail "keyagentd-keys did not print alice's key"
fi
if command -v logrotate >/dev/null; then
  T 60 logrotate -d /etc/logrotate.d/keyagentd >/dev/null 2>&1 || fail "logrotate rejects /etc/logrotate.d/keyagentd"
fi
ak_sum=$(sha256sum < "$ak")

# 5. Upgrade, keeping the edited conffile.
cp "$krl" "$work/krl.before-upgrade"
DEBIAN_FRONTEND=noninteractive T 180 dpkg -i --force-confold "$deb2" </dev/null >/dev/null || fail "upgrade"
[ "$(dpkg-query -W -f='${Version}' keyagentd)" = "$(dpkg-deb -f "$deb2" Version)" ] || fail "not upgraded"
grep -q '"MaxRemovalPercent": 40' /etc/keyagentd/keyagentd.json || fail "edited conffile not kept on upgrade"
grep -qF "file://$work/registry.json" /etc/keyagentd/keyagentd.json || fail "edited Url not kept on upgrade"
T 120 keyagentd sync || fail "sync after upgrade exited $?"
cmp -s "$work/krl.before-upgrade" "$krl" || fail "the upgrade replaced $krl"
[ "$(sha256sum < "$ak")" = "$ak_sum" ] || fail "an unchanged registry rewrote $ak differently"

# 6. Remove: binaries gone, configuration and state kept, keys untouched.
T 180 dpkg -r keyagentd >/dev/null || fail "dpkg -r"
[ ! -e /usr/lib/keyagentd/keyagentd ] && [ ! -L /usr/sbin/keyagentd ] || fail "binaries left after dpkg -r"
[ -f /etc/keyagentd/keyagentd.json ] || fail "conffile removed by dpkg -r"
grep -q '"MaxRemovalPercent": 40' /etc/keyagentd/keyagentd.json || fail "conffile changed by dpkg -r"
[ "$(sha256sum < "$ak")" = "$ak_sum" ] || fail "dpkg -r touched $ak"

# 7. Purge: nothing left, keys untouched.
T 180 dpkg -P keyagentd >/dev/null || fail "dpkg -P"
getent passwd keyagentd >/dev/null && fail "keyagentd user left after purge"
getent group keyagentd >/dev/null && fail "keyagentd group left after purge"
after=$(snapshot_files)
left=$(comm -13 <(echo "$before") <(echo "$after"))
# Ignore files another process installed meanwhile (owned by some other package).
left=$(while read -r f; do [ -n "$f" ] && ! dpkg -S "$f" >/dev/null 2>&1 && echo "$f"; done <<<"$left" || true)
gone=$(comm -23 <(echo "$before") <(echo "$after") | grep -v keyagentd || true)
[ -z "$left" ] || fail "left after purge: $left"
[ -z "$gone" ] || fail "removed by install/purge: $gone"
[ "$(sha256sum < "$ak")" = "$ak_sum" ] || fail "dpkg -P touched $ak"

# 8. keyagentd-registry, on its own (the build machine has no keyagentd): install, the layout, a
# signed build of a small source, upgrade, purge; nothing left. It carries no host file.
dpkg-deb -c "$reg1" | grep -E '/etc/|systemd|/usr/sbin/' && fail "keyagentd-registry ships a host file"
before=$(snapshot_files)
DEBIAN_FRONTEND=noninteractive T 180 dpkg -i "$reg1" >/dev/null || fail "dpkg -i $reg1"
expect /usr/lib/keyagentd-registry/keyagentd-registry 755 root:root
[ "$(readlink -f /usr/bin/keyagentd-registry)" = /usr/lib/keyagentd-registry/keyagentd-registry ] || fail "/usr/bin/keyagentd-registry link"
expect /usr/share/man/man1/keyagentd-registry.1.gz 644 root:root
expect /usr/share/doc/keyagentd-registry/copyright 644 root:root
zcat /usr/share/man/man1/keyagentd-registry.1.gz | grep -q '^\.SH EXIT STATUS' || fail "keyagentd-registry man page"
src="$work/source"; mkdir -p "$src/people"
cp "$work/alice.pub" "$src/people/alice@example.com.keys"
printf 'web-01: { role: web }\n' > "$src/hosts.yaml"
printf 'rules:\n  - labels: { role: web }\n    accounts: [alice]\n    people: [alice@example.com]\n' > "$src/access.yaml"
ssh-keygen -q -t ed25519 -N '' -C signer -f "$work/signer"
T 60 keyagentd-registry validate "$src" >/dev/null || fail "keyagentd-registry validate exited $?"
T 60 keyagentd-registry build "$src" --out "$work/out" --state-dir "$work/registry-state" --sign-key "$work/signer" >/dev/null || fail "keyagentd-registry build exited $?"
echo "signer@example.com namespaces=\"keyagentd-registry\" $(cut -d' ' -f1,2 "$work/signer.pub")" > "$work/allowed_signers"
ssh-keygen -Y verify -f "$work/allowed_signers" -I signer@example.com -n keyagentd-registry -s "$work/out/web-01.json.sig" < "$work/out/web-01.json" >/dev/null \
  || fail "ssh-keygen -Y verify rejects what the installed keyagentd-registry signed"
DEBIAN_FRONTEND=noninteractive T 180 dpkg -i "$reg2" </dev/null >/dev/null || fail "upgrade of keyagentd-registry"
[ "$(dpkg-query -W -f='${Version}' keyagentd-registry)" = "$(dpkg-deb -f "$reg2" Version)" ] || fail "keyagentd-registry not upgraded"
T 60 keyagentd-registry validate "$src" >/dev/null || fail "keyagentd-registry validate after upgrade exited $?"
T 180 dpkg -P keyagentd-registry >/dev/null || fail "dpkg -P keyagentd-registry"
after=$(snapshot_files)
left=$(comm -13 <(echo "$before") <(echo "$after"))
left=$(while read -r f; do [ -n "$f" ] && ! dpkg -S "$f" >/dev/null 2>&1 && echo "$f"; done <<<"$left" || true)
[ -z "$left" ] || fail "left after purge of keyagentd-registry: $left"

echo "ok: package build, lint of both, install, sync, status, doctor, upgrade (conffile kept), remove, purge; keyagentd-registry install, build and sign, upgrade, purge"
