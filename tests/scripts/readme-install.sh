#!/usr/bin/env bash
# The install path of docs/getting-started.md as written: the marked blocks of "Install on a host and publish a first
# registry", from `dpkg -i` to a signed registry on nginx and an ssh login through keyagentd-keys,
# run under a real systemd (PID 1 of a throw-away container) with real nginx and sshd; fails naming
# the README line of a command that fails. See tests/systemd/readme-install.sh. Root only (exit 77
# otherwise, or without namespaces/cgroup2/nginx/sshd); under a minute plus `make package` when
# out/pkg has no package yet.
set -uo pipefail
cd "$(dirname "$0")/../.."
exec timeout --kill-after=30 600 bash tests/systemd/readme-install.sh
