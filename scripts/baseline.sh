#!/usr/bin/env bash
# The previous binaries `make bench` prints beside ours: the commit in bench/BASELINE_REF, checked out
# once (git worktree) and published the same way (`make publish`) into out/baseline/<sha>/bin, then
# cached: the next run costs nothing. Prints that directory. Without the git history (a tarball, a
# shallow clone) or that commit, says so on stderr, prints nothing and exits 0: the benches then run
# without the previous binary.
set -euo pipefail
cd "$(dirname "$0")/.."
ref=$(grep -v '^#' bench/BASELINE_REF | head -n 1 | tr -d '[:space:]')
if ! sha=$(git rev-parse --verify --quiet "$ref^{commit}" 2>/dev/null); then
  echo "baseline: commit ${ref:-?} (bench/BASELINE_REF) is not in this checkout's git history: no previous binary is measured" >&2
  exit 0
fi
dir=$PWD/out/baseline/$sha
if [ ! -x "$dir/bin/keyagentd" ] || [ ! -x "$dir/bin/keyagentd-registry" ]; then
  echo "baseline: publishing $sha into $dir/bin (once; minutes)" >&2
  rm -rf "$dir/src"
  git worktree prune
  git worktree add --detach "$dir/src" "$sha" >&2
  # The checkout is removed whatever happens: a failed publish leaves no stray worktree behind.
  trap 'git worktree remove --force "$dir/src" >/dev/null 2>&1 || true' EXIT
  make -C "$dir/src" publish BIN="$dir/bin.partial" >&2
  rm -rf "$dir/bin" && mv "$dir/bin.partial" "$dir/bin"
fi
echo "$dir/bin"
