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
[ -x /lib/systemd/systemd ] || need+=(systemd)       # PID 1 of the real-systemd test's container
command -v unshare >/dev/null || need+=(util-linux)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing tools; run: sudo apt-get install -y ${need[*]}  (or run make test as root)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
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
