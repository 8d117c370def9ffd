#!/usr/bin/env bash
# The linux-arm64 build, run: `make package` cross compiles keyagentd, keyagentd-keys and
# keyagentd-registry for arm64 (reusing out/pkg/publish/arm64 when an earlier test published it), and
# the arm64 executables run under qemu-aarch64-static (user-mode emulation, the arm64 libc from
# libc6-arm64-cross; zlib and OpenSSL for arm64 unpacked by scripts/setup.sh):
#   1. `keyagentd fingerprint` on generated keys of every type prints what `ssh-keygen -l` prints
#      (SHA256 and MD5);
#   2. `keyagentd-registry build` signs a small source, `keyagentd sync` (Registry:Signatures enforce)
#      writes a sandbox's homes (passwd file, homes and state under a temp dir, no root needed, as
#      `make run` does), a revocation rebuilt and synced removes the key and lands in the KRL
#      (`ssh-keygen -Q` is the oracle), and `audit verify` accepts the chain;
#   3. `keyagentd-keys` serves that sync's cache, by user and by fingerprint, and refuses a symlinked
#      or group-writable cache file (the open flags and struct stat of arm64: see LinuxAbi);
#   4. both .debs say Architecture: arm64, hold aarch64 executables and libMonoPosixHelper.so, and
#      pass lintian.
# Exit 77 (skipped) with the reason where the cross toolchain is missing or qemu-user cannot run an
# arm64 program here. The cross compile takes several minutes when nothing is published yet.
set -euo pipefail
cd "$(dirname "$0")/../.."
skip() { echo "skip: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
sysroot=/usr/aarch64-linux-gnu
command -v qemu-aarch64-static >/dev/null || skip "qemu-aarch64-static not installed (apt-get install qemu-user-static)"
command -v aarch64-linux-gnu-gcc >/dev/null || skip "no arm64 cross compiler (apt-get install gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross)"
command -v ssh-keygen >/dev/null || skip "ssh-keygen not installed"
[ -e "$sysroot/lib/ld-linux-aarch64.so.1" ] || skip "no arm64 libc in $sysroot (apt-get install libc6-arm64-cross)"
# zlib (libMonoPosixHelper.so needs it) and OpenSSL (hashes, TLS) for arm64: scripts/setup.sh fetches them.
libs=/var/cache/keyagentd-tests/arm64/root
[ -e "$libs/lib/aarch64-linux-gnu/libz.so.1" ] && [ -e "$libs/usr/lib/aarch64-linux-gnu/libssl.so.3" ] && [ -e /lib/ld-linux-aarch64.so.1 ] \
  || skip "no arm64 zlib and libssl in $libs or no /lib/ld-linux-aarch64.so.1 (scripts/setup.sh as root sets them up)"
# Not qemu's -L: its prefix redirects every absolute path that exists below it, "/" included, and
# the daemon's and the helper's walks start at "/".
A() { qemu-aarch64-static -E LD_LIBRARY_PATH="$sysroot/lib:$libs/lib/aarch64-linux-gnu:$libs/usr/lib/aarch64-linux-gnu" "$@"; }

# Under out/, not /tmp: keyagentd-keys serves a cache only below directories that are root-owned and
# not group- or world-writable, sticky or not (sshd's safe_path), as its own tests do.
mkdir -p out; chmod go-w out
work=$(mktemp -d "$PWD/out/arm64-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Can this machine emulate arm64 at all? (A container may forbid it, or qemu may not match the kernel.)
printf 'int main(void){return 0;}\n' > "$work/probe.c"
aarch64-linux-gnu-gcc -o "$work/probe" "$work/probe.c" || fail "the arm64 cross compiler cannot link a C program"
probe_error=$(A "$work/probe" 2>&1) || skip "qemu-user cannot run an arm64 program here: ${probe_error:-exit $?}"

# The packages (and with them the arm64 publish).
started=$SECONDS
SKIP_PUBLISH=1 timeout 2400 make -s package ARCHS=arm64 >/dev/null || fail "make package ARCHS=arm64"
echo "make package ARCHS=arm64: $((SECONDS - started)) s"
pub=out/pkg/publish/arm64
K=$PWD/$pub/keyagentd/keyagentd
R=$PWD/$pub/registry/keyagentd-registry
H=$PWD/$pub/keys/keyagentd-keys
for exe in "$K" "$R" "$H" "$pub/keyagentd/libMonoPosixHelper.so"; do
  file -L "$exe" | grep -q 'ARM aarch64' || fail "$exe is not an aarch64 ELF: $(file -L "$exe")"
done

# 1. Fingerprints: every key type ssh-keygen generates, against its own -l.
ssh-keygen -q -t ed25519 -N '' -C "key ed25519" -f "$work/key-ed25519"
for spec in ecdsa-256 ecdsa-384 ecdsa-521 rsa-2048 rsa-3072; do
  ssh-keygen -q -t "${spec%-*}" -b "${spec#*-}" -N '' -C "key $spec" -f "$work/key-$spec"
done
cat "$work"/key-*.pub > "$work/all.pub"
for hash in sha256 md5; do
  A "$K" fingerprint -E "$hash" "$work/all.pub" > "$work/ours.$hash" || fail "keyagentd fingerprint -E $hash exited $?"
  ssh-keygen -l -E "$hash" -f "$work/all.pub" > "$work/theirs.$hash"
  diff "$work/theirs.$hash" "$work/ours.$hash" || fail "arm64 keyagentd fingerprint -E $hash differs from ssh-keygen -l"
done
echo "ok: fingerprints of $(wc -l < "$work/all.pub") keys (ed25519, ecdsa 256/384/521, rsa 2048/3072) equal ssh-keygen -l's"

# 2. A sandbox: a source of three people, built and signed by the arm64 keyagentd-registry, synced by
# the arm64 keyagentd into homes under $work.
S=$work/sandbox
umask 022
mkdir -p "$S/source/people" "$S/home" "$S/state" "$S/registry"
chmod 755 "$work" "$S" "$S/home"
cp "$work/key-ed25519.pub" "$S/source/people/alice@example.com.keys"
cp "$work/key-ecdsa-384.pub" "$S/source/people/bob@example.com.keys"
cp "$work/key-rsa-3072.pub" "$S/source/people/carol@example.com.keys"
printf 'ops: [alice@example.com, bob@example.com]\ndevelopers: [carol@example.com]\n' > "$S/source/groups.yaml"
printf 'arm-01.example.com: { env: prod }\n' > "$S/source/hosts.yaml"
cat > "$S/source/access.yaml" <<'YAML'
rules:
  - hosts: ["*"]
    accounts: [root]
    groups: [ops]
  - hosts: ["*"]
    accounts: [dev]
    groups: [developers]
YAML
ssh-keygen -q -t ed25519 -N '' -C "arm64 test signer" -f "$S/signer"
echo "registry@example.com namespaces=\"keyagentd-registry\" $(cut -d' ' -f1,2 "$S/signer.pub")" > "$S/allowed_signers"
: > "$S/passwd"
for user in root dev; do
  mkdir -p "$S/home/$user"; chmod 755 "$S/home/$user"
  echo "$user:x:$(id -u):$(id -g):sandbox $user:$S/home/$user:/bin/sh" >> "$S/passwd"
done
cat > "$S/keyagentd.json" <<JSON
{
  "Host":     { "Name": "arm-01.example.com" },
  "Registry": { "Url": "file://$S/registry/{hostname}.json", "AllowedSignersFile": "$S/allowed_signers", "Signatures": "enforce" },
  "Sshd":     { "RevokedKeysFile": "$S/state/revoked_keys.krl" },
  "Accounts": { "PasswdFile": "$S/passwd", "Mode": "exclusive" },
  "State":    { "Directory": "$S/state" },
  "Audit":    { "Path": "$S/audit.jsonl" },
  "Metrics":  { "TextfilePath": "$S/keyagentd.prom" }
}
JSON
build() { A "$R" build "$S/source" --out "$S/registry" --state-dir "$S/registry-state" --sign-key "$S/signer" >"$work/build.out" 2>&1 \
  || fail "arm64 keyagentd-registry build exited $?: $(cat "$work/build.out")"; }
keyagentd() { A "$K" --config "$S/keyagentd.json" "$@"; }
keys_of() { ssh-keygen -l -f "$S/home/$1/.ssh/authorized_keys" | awk '{print $2}' | sort; }
fp() { ssh-keygen -l -f "$1" | awk '{print $2}'; }
build
A "$R" validate "$S/source" >/dev/null || fail "arm64 keyagentd-registry validate"
keyagentd sync > "$work/sync1.out" || fail "arm64 keyagentd sync exited $?: $(cat "$work/sync1.out")"
[ "$(keys_of root)" = "$(printf '%s\n' "$(fp "$work/key-ed25519.pub")" "$(fp "$work/key-ecdsa-384.pub")" | sort)" ] \
  || fail "root's authorized_keys is not alice's and bob's keys: $(keys_of root)"
[ "$(keys_of dev)" = "$(fp "$work/key-rsa-3072.pub")" ] || fail "dev's authorized_keys is not carol's key: $(keys_of dev)"
[ "$(stat -c %a "$S/home/root/.ssh/authorized_keys")" = 600 ] || fail "authorized_keys mode is not 0600"
echo "ok: arm64 build signed by keyagentd-registry, synced by keyagentd (root: alice, bob; dev: carol)"

# Bob's key is revoked: rebuilt, synced, gone, and in the KRL sshd would read.
fp "$work/key-ecdsa-384.pub" > "$S/source/revoked"
build
keyagentd sync > "$work/sync2.out" || fail "arm64 keyagentd sync after the revocation exited $?: $(cat "$work/sync2.out")"
[ "$(keys_of root)" = "$(fp "$work/key-ed25519.pub")" ] || fail "bob's revoked key is still in root's authorized_keys"
# ssh-keygen -Q exits 1 when a key is revoked: its verdict is read from what it prints.
krl=$(ssh-keygen -Q -f "$S/state/revoked_keys.krl" "$work/key-ecdsa-384.pub" 2>&1 || true)
[[ "$krl" == *": REVOKED"* ]] || fail "bob's key is not in the KRL: $krl"
krl=$(ssh-keygen -Q -f "$S/state/revoked_keys.krl" "$work/key-ed25519.pub" 2>&1 || true)
[[ "$krl" == *": ok"* ]] || fail "alice's key is not ok by the KRL: $krl"
keyagentd audit verify >/dev/null || fail "arm64 keyagentd audit verify"
keyagentd status >/dev/null || fail "arm64 keyagentd status after a good sync"
echo "ok: a revocation rebuilt and synced removes the key, the KRL holds it (ssh-keygen -Q), the audit chain verifies"

# 3. keyagentd-keys from that sync's cache.
helper() { A "$H" --state-dir "$S/state" "$@"; }
[ "$(helper root | ssh-keygen -l -f - | awk '{print $2}')" = "$(fp "$work/key-ed25519.pub")" ] || fail "keyagentd-keys root does not print alice's key"
[ "$(helper dev "$(fp "$work/key-rsa-3072.pub")" | ssh-keygen -l -f - | awk '{print $2}')" = "$(fp "$work/key-rsa-3072.pub")" ] \
  || fail "keyagentd-keys dev FINGERPRINT does not print carol's key"
[ -z "$(helper dev "$(fp "$work/key-ed25519.pub")")" ] || fail "keyagentd-keys dev printed a key for another fingerprint"
[ -z "$(helper nobody-here)" ] || fail "keyagentd-keys printed keys for a user without a cache"
# The cache file swapped for a symlink to a root-owned file of keys: refused, not followed (with the
# x86-64 O_NOFOLLOW, arm64's O_LARGEFILE, it was followed and served).
cp "$S/state/keys/root" "$S/planted"
mv "$S/state/keys/root" "$S/state/keys/root.real"
ln -s "$S/planted" "$S/state/keys/root"
set +e; out=$(helper root 2>"$work/helper.err"); rc=$?; set -e
[ "$rc" = 1 ] && [ -z "$out" ] && grep -q 'symbolic link' "$work/helper.err" \
  || fail "arm64 keyagentd-keys served a symlinked cache file (exit $rc, stdout '${out:0:60}', stderr $(cat "$work/helper.err"))"
rm "$S/state/keys/root"; mv "$S/state/keys/root.real" "$S/state/keys/root"
# Group-writable: the mode read from this architecture's struct stat is the file's.
chmod 664 "$S/state/keys/root"
set +e; out=$(helper root 2>"$work/helper.err"); rc=$?; set -e
[ "$rc" = 1 ] && [ -z "$out" ] && grep -q 'mode 0664' "$work/helper.err" \
  || fail "arm64 keyagentd-keys served a group-writable cache file (exit $rc, stderr $(cat "$work/helper.err"))"
chmod 644 "$S/state/keys/root"
echo "ok: arm64 keyagentd-keys serves the cache by user and fingerprint, refuses a symlinked or group-writable one"

# 4. The packages.
for package in keyagentd keyagentd-registry; do
  deb=$(ls out/pkg/"$package"_*_arm64.deb)
  [ "$(dpkg-deb -f "$deb" Architecture)" = arm64 ] || fail "$deb: Architecture is $(dpkg-deb -f "$deb" Architecture)"
  dpkg-deb -x "$deb" "$work/$package"
  for exe in "$work/$package"/usr/lib/"$package"/*; do
    file "$exe" | grep -q 'ARM aarch64' || fail "$deb: $(basename "$exe") is not aarch64: $(file "$exe")"
  done
  [ -f "$work/$package/usr/lib/$package/libMonoPosixHelper.so" ] || fail "$deb has no libMonoPosixHelper.so"
  if command -v lintian >/dev/null; then
    timeout 600 lintian --fail-on error,warning --suppress-tags initial-upload-closes-no-bugs "$deb" \
      || fail "lintian reports errors or warnings in $deb"
  else
    echo "note: lintian not installed, not linting"
  fi
  echo "ok: $(basename "$deb"): Architecture arm64, aarch64 executables and libMonoPosixHelper.so, lintian clean"
done
