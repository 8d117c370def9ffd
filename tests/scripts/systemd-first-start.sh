#!/usr/bin/env bash
# Never lock out, under a real systemd: the KRL sshd's RevokedKeys names exists from dpkg -i on, and
# a first start with the registry unreachable keeps it. See tests/systemd/first-start.sh.
# Root only (exit 77 otherwise, or without namespaces/cgroup2); well under a minute once out/pkg has a package.
set -uo pipefail
cd "$(dirname "$0")/../.."
exec timeout --kill-after=30 300 bash tests/systemd/first-start.sh
