#!/usr/bin/env bash
# The keyagentd-registry package under a real systemd (PID 1 of a throw-away container), on a build
# machine without keyagentd: install, --version, validate/build/sign of examples/registry-source,
# nothing of the host agent pulled in or started, upgrade, remove, purge leaving nothing. See
# tests/systemd/registry-package.sh. Root only (exit 77 otherwise, or without namespaces/cgroup2);
# well under a minute plus `make package` when out/pkg has no package yet.
set -uo pipefail
cd "$(dirname "$0")/../.."
exec timeout --kill-after=30 300 bash tests/systemd/registry-package.sh
