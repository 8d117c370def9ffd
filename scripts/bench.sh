#!/usr/bin/env bash
# `make bench`: every benchmark in bench/, each printing its figures against a baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in bench/*.sh; do
  echo "== $b"
  bash "$b"
done
