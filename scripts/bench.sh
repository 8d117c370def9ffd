#!/usr/bin/env bash
# `make bench`: every benchmark in bench/, each printing its figures against a baseline. The previous
# binaries (scripts/baseline.sh: bench/BASELINE_REF published once, cached) are passed as BASE and
# BASELINE unless they are set already; BASELINE_BIN= (empty) skips them. BENCHES="bench/a.sh …" runs
# only those (`make bench BENCHES=bench/registry-build.sh`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BASELINE_BIN+set}" ]; then BASELINE_BIN=$(scripts/baseline.sh) || BASELINE_BIN=; fi
if [ -n "$BASELINE_BIN" ]; then
  export BASE=${BASE:-$BASELINE_BIN/keyagentd} BASELINE=${BASELINE:-$BASELINE_BIN/keyagentd-registry}
  echo "previous binaries: $BASELINE_BIN ($(grep -v '^#' bench/BASELINE_REF | head -n 1))"
else
  echo "previous binaries: none (see above); BASE= and BASELINE= name them by hand"
fi
for b in ${BENCHES:-bench/*.sh}; do
  echo "== $b"
  bash "$b"
done
