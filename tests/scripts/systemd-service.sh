#!/usr/bin/env bash
# The Debian package under a real systemd (PID 1 of a throw-away container): start/READY, STATUS,
# reload latency, hardening, journal priorities, stop during a write, configuration error, watchdog
# restart of a hung cycle, exposure score, install/upgrade/remove/purge. See tests/systemd/.
# Root only (exit 77 otherwise, or without namespaces/cgroup2); about a minute plus `make package`
# when out/pkg has no package yet.
set -uo pipefail
cd "$(dirname "$0")/../.."
exec timeout --kill-after=30 600 bash tests/systemd/keyagentd-service.sh
