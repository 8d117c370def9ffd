#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine (run by `make test` and by CI).
# As root it installs missing Debian packages; otherwise it says which command to run.
# The distribution's services are kept from starting: the tests start their own sshd, nginx and slapd.
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
have ssh-keygen || need+=(openssh-client)
have sshd || need+=(openssh-server)
have nginx || need+=(nginx)
have slapd || need+=(slapd)                          # LDAP source tests and bench/registry-ldap.sh
have ldapadd || need+=(ldap-utils)
have openssl || need+=(openssl)                      # the LDAP tests' throwaway CA
have python3 || need+=(python3)
have useradd || need+=(passwd)
have dpkg-architecture || need+=(dpkg-dev)
have lintian || need+=(lintian)
have adduser || need+=(adduser)
have logrotate || need+=(logrotate)
have strip || need+=(binutils)
have strace || need+=(strace)                       # tests/scripts/sync-killed-before-audit.sh
have promtool || need+=(prometheus)                 # promtool: the metrics files and alert rules (packaging/monitoring)
# linux-arm64: the NativeAOT cross link (gcc, binutils and libc for aarch64; packaging/cross/) and
# the arm64 binaries' tests under user-mode emulation (tests/scripts/arm64-binaries.sh).
have gcc || need+=(gcc)                              # tests/KeyAgentd.KeysCommand.Tests/LinuxAbiTests: x86-64 headers
have aarch64-linux-gnu-gcc || need+=(gcc-aarch64-linux-gnu)
have aarch64-linux-gnu-objcopy || need+=(binutils-aarch64-linux-gnu)
[ -f /usr/aarch64-linux-gnu/lib/crt1.o ] || need+=(libc6-dev-arm64-cross)
have qemu-aarch64-static || need+=(qemu-user-static)
[ -x /lib/systemd/systemd ] || need+=(systemd)       # PID 1 of the real-systemd test's container
command -v unshare >/dev/null || need+=(util-linux)
# The arm64 builds of the two libraries the arm64 executables load that the cross libc lacks (zlib
# for libMonoPosixHelper.so, OpenSSL for hashing and TLS), for the tests under qemu: downloaded with
# a private apt state for arm64 and unpacked, not installed; the machine's dpkg architectures stay
# as they are.
ARM64_LIBS=/var/cache/keyagentd-tests/arm64
fetch_arm64_libs() {
  local apt=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o "Dir::State::Lists=$ARM64_LIBS/lists"
             -o "Dir::Cache=$ARM64_LIBS/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
  rm -rf "$ARM64_LIBS"
  mkdir -p "$ARM64_LIBS/lists/partial" "$ARM64_LIBS/cache/archives/partial" "$ARM64_LIBS/debs"
  apt-get "${apt[@]}" update -qq || return 1
  (cd "$ARM64_LIBS/debs" && apt-get "${apt[@]}" download -qq zlib1g libssl3) || return 1
  local deb; for deb in "$ARM64_LIBS"/debs/*.deb; do dpkg-deb -x "$deb" "$ARM64_LIBS/root" || return 1; done
  rm -rf "$ARM64_LIBS/lists" "$ARM64_LIBS/cache" "$ARM64_LIBS/debs"
  [ -e /lib/ld-linux-aarch64.so.1 ] || [ ! -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] \
    || ln -s /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 /lib/ld-linux-aarch64.so.1
}
# And the arm64 dynamic loader where arm64 executables name it (PT_INTERP), as libc6:arm64 would put
# it: qemu then runs them without -L, whose path prefix would also redirect "/" (the daemon's
# openat walks start there) into the cross libc's directory.
arm64_libs=
[ -e "$ARM64_LIBS/root/usr/lib/aarch64-linux-gnu/libssl.so.3" ] && [ -e "$ARM64_LIBS/root/lib/aarch64-linux-gnu/libz.so.1" ] \
  && [ -e /lib/ld-linux-aarch64.so.1 ] || arm64_libs=1
[ ${#need[@]} -eq 0 ] && [ -z "$arm64_libs" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  [ ${#need[@]} -eq 0 ] && { echo "note: run scripts/setup.sh as root once to fetch arm64 zlib1g/libssl3 for the arm64 tests" >&2; exit 0; }
  echo "missing tools; run: sudo apt-get install -y ${need[*]}  (or run make test as root)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$arm64_libs" ]; then
  fetch_arm64_libs && echo "fetched: zlib1g and libssl3 for arm64 into $ARM64_LIBS/root; /lib/ld-linux-aarch64.so.1" \
    || echo "note: could not fetch arm64 zlib1g/libssl3; tests/scripts/arm64-binaries.sh will skip" >&2
fi
[ ${#need[@]} -eq 0 ] && exit 0
apt-get update -qq
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
# slapd's debconf questions are answered with their defaults (DEBIAN_FRONTEND above); policy-rc.d keeps
# the packaged slapd from starting, and it is disabled besides, so no system slapd holds a port or the
# tests' attention after a reboot (the tests run their own, from a throwaway slapd.conf, on free ports).
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
if printf '%s\n' "${need[@]}" | grep -qx slapd; then
  systemctl disable --now slapd >/dev/null 2>&1 || update-rc.d slapd disable >/dev/null 2>&1 || true
fi
# Only promtool is wanted from prometheus: its server stays off (it would hold port 9090).
if printf '%s\n' "${need[@]}" | grep -qx prometheus; then
  systemctl disable --now prometheus >/dev/null 2>&1 || update-rc.d prometheus disable >/dev/null 2>&1 || true
fi
echo "installed: ${need[*]}"
