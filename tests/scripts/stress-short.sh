#!/usr/bin/env bash
# The short version of `make stress`: same code, smaller counts (< 60 s). Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root: real accounts, chown, mount"; exit 77; }
command -v useradd >/dev/null || { echo "SKIP: useradd not available"; exit 77; }
command -v ssh-keygen >/dev/null || { echo "SKIP: ssh-keygen not available"; exit 77; }
bin="$repo/out/bin/keyagentd"
[ -x "$bin" ] || { echo "SKIP: $bin missing (make publish)"; exit 77; }
cd "$repo"
timeout 300 dotnet run --no-build --project stress/KeyAgentd.Stress -c "${CONFIGURATION:-Release}" -- --short --bin "$bin"
