#!/usr/bin/env bash
# The published binary: reading "-" from stdin, exit codes, and ssh-keygen parity end to end.
set -euo pipefail
cd "$(dirname "$0")/../.."
K=${KEYAGENTD:-out/bin/keyagentd}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for spec in "ed25519 0" "ecdsa 384" "rsa 3072"; do
  set -- $spec; ssh-keygen -q -t "$1" ${2:+$( [ "$2" != 0 ] && echo -b "$2")} -N '' -C "key $1" -f "$work/$1"
  cat "$work/$1.pub" >> "$work/all.pub"
done
diff <(ssh-keygen -l -f - < "$work/all.pub") <("$K" fingerprint - < "$work/all.pub")
diff <(ssh-keygen -l -E md5 -f "$work/all.pub") <("$K" fingerprint -E md5 "$work/all.pub")
"$K" check - < "$work/all.pub" > /dev/null
ssh-keygen -q -t dsa -N '' -f "$work/dsa"
set +e; "$K" check "$work/dsa.pub" > "$work/out"; rc=$?; set -e
[ "$rc" = 1 ] || { echo "check of a DSA key exited $rc, expected 1"; exit 1; }
grep -q 'dsa-not-allowed' "$work/out"
set +e; "$K" check --format yaml "$work/all.pub" >/dev/null 2>&1; rc=$?; set -e
[ "$rc" != 0 ] || { echo "bad --format accepted"; exit 1; }
echo "ok: stdin, md5, exit codes"
