#!/usr/bin/env bash
# Runs every test project and every script test, then prints one summary line
# "N passed, N failed" (summed over all of them) so CI can tell "tested nothing" from "passed".
set -uo pipefail
cd "$(dirname "$0")/.."
CONFIGURATION=${CONFIGURATION:-Release}
results=out/test-results
rm -rf "$results"; mkdir -p "$results"

passed=0; failed=0; skipped=0; status=0
failures=()   # named again just before the summary, so the last lines of a long log say what failed
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
    # Each failed test's name and the first line of its message, from the trx.
    while IFS= read -r line; do failures+=("$name: $line"); done < <(python3 scripts/trx-failures.py "$trx")
  else
    echo "!! $name produced no results"; failed=$((failed + 1)); status=1; failures+=("$name: no results")
  fi
done

# Script tests: each tests/scripts/*.sh is one test; exit 0 passes, 77 skips (with its printed reason).
for script in tests/scripts/*.sh; do
  [ -e "$script" ] || continue
  echo "== $script"
  log="$results/$(basename "$script" .sh).log"
  # Through a process substitution, not a pipe: a stray child holding stdout cannot hold the run.
  bash "$script" > >(tee "$log") 2>&1; rc=$?
  case $rc in
    0) passed=$((passed + 1));;
    77) skipped=$((skipped + 1));;
    *) failed=$((failed + 1)); status=1; echo "!! $script failed (exit $rc)"; failures+=("$script (exit $rc) $(grep -m1 -E '^(FAIL|!!)' "$log" | cut -c1-300)");;
  esac
done

[ "$failed" -gt 0 ] && status=1
for failure in "${failures[@]}"; do echo "FAILED: $failure"; done
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
