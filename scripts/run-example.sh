#!/usr/bin/env bash
# `make run`: the daemon on the embedded example, no root needed. A file registry
# (examples/registry.json), a sandbox passwd file and sandbox homes under out/run/.
# It syncs once to show the result, then runs the daemon in the foreground (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
K=$PWD/out/bin/keyagentd
S=$PWD/out/run
rm -rf "$S"; mkdir -p "$S/home" "$S/state"
chmod 755 "$S" "$S/home"
cp examples/registry.json "$S/registry.json"

uid=$(id -u); gid=$(id -g)
: > "$S/passwd"
for user in alice deploy carol; do
  mkdir -p "$S/home/$user"; chmod 755 "$S/home/$user"
  echo "$user:x:$uid:$gid:sandbox $user:$S/home/$user:/bin/sh" >> "$S/passwd"
done

cat > "$S/keyagentd.json" <<JSON
{
  "Registry": { "Url": "file://$S/registry.json", "PollInterval": "00:00:10", "Jitter": "00:00:02" },
  "Accounts": { "PasswdFile": "$S/passwd", "Mode": "exclusive" },
  "State":    { "Directory": "$S/state" },
  "Audit":    { "Path": "$S/audit.jsonl" },
  "Metrics":  { "TextfilePath": "$S/keyagentd.prom" }
}
JSON
run() { echo; echo "\$ keyagentd $*"; "$K" --config "$S/keyagentd.json" "$@" || true; }

echo "sandbox: $S (passwd file, homes, state, audit log, metrics)"
run sync --dry-run
run sync
echo; echo "# carol adds a key by hand; exclusive mode removes it at the next sync (the audit log keeps the line)"
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBiXz5sOoWJhVJgmDUErXeH1p0VhH4wJ3y3PBuP6X6kX carol@hand-added" >> "$S/home/carol/.ssh/authorized_keys"
run sync
for user in alice deploy carol; do echo; echo "--- $S/home/$user/.ssh/authorized_keys"; cat "$S/home/$user/.ssh/authorized_keys"; done
run status
run audit verify
run doctor deploy
echo
echo "Now the daemon, polling every 10 s. In another terminal edit $S/registry.json"
echo "(remove a key, bump \"serial\") and watch it go from $S/home/*/.ssh/authorized_keys;"
echo "'kill -HUP <pid>' syncs at once. Ctrl-C stops."
exec "$K" --config "$S/keyagentd.json" run
