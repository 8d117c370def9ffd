#!/usr/bin/env bash
# Configuration under a real systemd (the Debian package in a throw-away container): "60" is
# seconds and the interval in effect is logged; `systemctl reload` applies a valid file and says
# what changed, fails on a broken one (the daemon keeps its configuration); a duration out of range
# is exit 2 with one located line; a dying sync loop is restarted. See tests/systemd/reload.sh.
# Root only (exit 77 otherwise, or without namespaces/cgroup2); about a minute plus `make package`.
set -uo pipefail
cd "$(dirname "$0")/../.."
exec timeout --kill-after=30 600 bash tests/systemd/reload.sh
