#!/usr/bin/env bash
# Runs every test project and every script test, then prints one summary line
# "N passed, N failed" (summed over all of them) so CI can tell "tested nothing" from "passed".
set -uo pipefail
cd "$(dirname "$0")/.."
CONFIGURATION=${CONFIGURATION:-Release}
results=out/test-results
rm -rf "$results"; mkdir -p "$results"

passed=0; failed=0; skipped=0; status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  dotnet test "$project" -c "$CONFIGURATION" --no-build --nologo \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
      --results-directory "$results" || status=1
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx")
    p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
    f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
    t=$(sed -E 's/.* total="([0-9]+)".*/\1/' <<<"$counters")
    e=$(sed -E 's/.* executed="([0-9]+)".*/\1/' <<<"$counters")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + t - e))
  else
    echo "!! $name produced no results"; failed=$((failed + 1)); status=1
  fi
done

# Script tests: each tests/scripts/*.sh is one test; exit 0 passes, 77 skips (with its printed reason).
for script in tests/scripts/*.sh; do
  [ -e "$script" ] || continue
  echo "== $script"
  bash "$script"; rc=$?
  case $rc in
    0) passed=$((passed + 1));;
    77) skipped=$((skipped + 1));;
    *) failed=$((failed + 1)); status=1; echo "!! $script failed (exit $rc)";;
  esac
done

[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
