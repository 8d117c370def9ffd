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

# A throwaway signing key, trusted by this sandbox only: the example registry is signed the way an
# operator signs theirs (ssh-keygen -Y sign), and the daemon runs with Registry:Signatures enforce.
ssh-keygen -q -t ed25519 -N '' -C "make-run registry signer" -f "$S/signer"
echo "registry@example.com namespaces=\"keyagentd-registry\" $(cut -d' ' -f1,2 "$S/signer.pub")" > "$S/allowed_signers"
# Fresh dates: under enforce a snapshot must expire within Registry:MaxValidity (30 days) of issued_at.
now=$(date -u +%Y-%m-%dT%H:%M:%SZ); expires=$(date -u -d '+7 days' +%Y-%m-%dT%H:%M:%SZ)
sed -e "s/\"issued_at\": \"[^\"]*\"/\"issued_at\": \"$now\"/" -e "s/\"expires_at\": \"[^\"]*\"/\"expires_at\": \"$expires\"/" \
  examples/registry.json > "$S/registry.json"
sign() { rm -f "$S/registry.json.sig"; ssh-keygen -q -Y sign -n keyagentd-registry -f "$S/signer" "$S/registry.json"; }
sign

uid=$(id -u); gid=$(id -g)
: > "$S/passwd"
for user in alice deploy carol; do
  mkdir -p "$S/home/$user"; chmod 755 "$S/home/$user"
  echo "$user:x:$uid:$gid:sandbox $user:$S/home/$user:/bin/sh" >> "$S/passwd"
done

cat > "$S/keyagentd.json" <<JSON
{
  "Registry": { "Url": "file://$S/registry.json", "PollInterval": "00:00:10", "Jitter": "00:00:02",
                "AllowedSignersFile": "$S/allowed_signers", "Signatures": "enforce" },
  "Sshd":     { "RevokedKeysFile": "$S/state/revoked_keys.krl" },
  "Accounts": { "PasswdFile": "$S/passwd", "Mode": "exclusive" },
  "State":    { "Directory": "$S/state" },
  "Audit":    { "Path": "$S/audit.jsonl" },
  "Metrics":  { "TextfilePath": "$S/keyagentd.prom" }
}
JSON
run() { echo; echo "\$ keyagentd $*"; "$K" --config "$S/keyagentd.json" "$@" || true; }

echo "sandbox: $S (passwd file, homes, state, audit log, metrics, signing key, allowed_signers)"
run registry verify "$S/registry.json"
run sync --dry-run
run sync
echo; echo "# carol adds a key by hand; exclusive mode removes it at the next sync (the audit log keeps the line)"
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBiXz5sOoWJhVJgmDUErXeH1p0VhH4wJ3y3PBuP6X6kX carol@hand-added" >> "$S/home/carol/.ssh/authorized_keys"
run sync
for user in alice deploy carol; do echo; echo "--- $S/home/$user/.ssh/authorized_keys"; cat "$S/home/$user/.ssh/authorized_keys"; done
run status
echo; echo "# an edit nobody signed is refused (signature-invalid); the last-known-good snapshot stays"
sed -i 's/"serial": 1,/"serial": 2,/' "$S/registry.json"
run sync
echo; echo "# signed, it is applied"
sign
run sync
echo; echo "# the KRL for sshd's RevokedKeys: ssh-keygen -Q says whether a key is revoked"
ssh-keygen -Q -f "$S/state/revoked_keys.krl" "$S/signer.pub" || true
run audit verify
run doctor deploy
echo
echo "Now the daemon, polling every 10 s. In another terminal edit $S/registry.json"
echo "(remove a key, bump \"serial\"), sign it again:"
echo "  rm -f $S/registry.json.sig; ssh-keygen -Y sign -n keyagentd-registry -f $S/signer $S/registry.json"
echo "and watch the key go from $S/home/*/.ssh/authorized_keys (unsigned, the edit is refused);"
echo "'kill -HUP <pid>' syncs at once. Ctrl-C stops."
exec "$K" --config "$S/keyagentd.json" run
