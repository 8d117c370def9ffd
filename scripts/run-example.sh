#!/usr/bin/env bash
# `make run`: both programs on the embedded example, no root needed: keyagentd-registry (the build
# machine's side) and keyagentd (the host's daemon).
# A copy of examples/registry-source/ is validated and built into one document per host
# (out/run/registry/<host>.json, signed with a throwaway sandbox key that the sandbox's
# allowed_signers trusts); the daemon plays dev-01.example.com with Registry:Signatures enforce, a
# sandbox passwd file and sandbox homes under out/run/. It syncs once to show the result, shows a
# change going through build → diff → sync and an unsigned edit being refused, then runs the daemon
# in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
K=$PWD/out/bin/keyagentd
R=$PWD/out/bin/keyagentd-registry
S=$PWD/out/run
HOST=dev-01.example.com
# keyagentd reads its configuration and allowed_signers only if nobody but root or this user can
# write them or any directory above them (README "Who may write the configuration and trust
# files"): a umask of 002 would leave them group-writable and the daemon would refuse to start.
umask 022
rm -rf "$S"; mkdir -p "$S/home" "$S/state" "$S/registry"
chmod go-w "$PWD/out"
chmod 755 "$S" "$S/home"
cp -r examples/registry-source "$S/source"
ssh-keygen -q -t ed25519 -N '' -C "make-run registry signer" -f "$S/signer"
echo "registry@example.com namespaces=\"keyagentd-registry\" $(cut -d' ' -f1,2 "$S/signer.pub")" > "$S/allowed_signers"
# A sandbox certificate authority in place of the example's dev-ca, so this script can issue a certificate with it.
ssh-keygen -q -t ed25519 -N '' -C dev-ca -f "$S/dev-ca"
sed -i "s|^  key: ssh-ed25519 .* dev-ca\$|  key: $(cat "$S/dev-ca.pub")|" "$S/source/cas.yaml"

uid=$(id -u); gid=$(id -g)
: > "$S/passwd"
for user in root deploy dev; do
  mkdir -p "$S/home/$user"; chmod 755 "$S/home/$user"
  echo "$user:x:$uid:$gid:sandbox $user:$S/home/$user:/bin/sh" >> "$S/passwd"
done

cat > "$S/keyagentd.json" <<JSON
{
  "Host":     { "Name": "$HOST" },
  "Registry": { "Url": "file://$S/registry/{hostname}.json", "PollInterval": "00:00:10", "Jitter": "00:00:02",
                "AllowedSignersFile": "$S/allowed_signers", "Signatures": "enforce" },
  "Sshd":     { "RevokedKeysFile": "$S/state/revoked_keys.krl" },
  "Accounts": { "PasswdFile": "$S/passwd", "Mode": "exclusive" },
  "State":    { "Directory": "$S/state" },
  "Audit":    { "Path": "$S/audit.jsonl" },
  "Metrics":  { "TextfilePath": "$S/keyagentd.prom" }
}
JSON
run() { echo; echo "\$ keyagentd $*"; "$K" --config "$S/keyagentd.json" "$@" || true; }
# The build machine's program: its policy is the built-in one (the host's keyagentd.json is not its file).
registry() { echo; echo "\$ keyagentd-registry $*"; "$R" "$@" || true; }
build() { registry build "$S/source" --out "$S/registry" --state-dir "$S/registry-state" --sign-key "$S/signer" "$@"; }

echo "sandbox: $S (registry source, built documents, signing key, allowed_signers, passwd file, homes, state, audit log, metrics)"
registry validate "$S/source"
build
run registry verify "$S/registry/$HOST.json"
echo; echo "\$ ssh-keygen -Y verify … (OpenSSH agrees)"
ssh-keygen -Y verify -f "$S/allowed_signers" -I registry@example.com -n keyagentd-registry \
  -s "$S/registry/$HOST.json.sig" < "$S/registry/$HOST.json"
run sync --dry-run
run sync
echo; echo "# carol adds a key to dev by hand; exclusive mode removes it at the next sync (the audit log keeps the line)"
ssh-keygen -q -t ed25519 -N '' -C carol@hand-added -f "$S/carol-hand-added"
cat "$S/carol-hand-added.pub" >> "$S/home/dev/.ssh/authorized_keys"
run sync
for user in root deploy dev; do echo; echo "--- $S/home/$user/.ssh/authorized_keys"; cat "$S/home/$user/.ssh/authorized_keys"; done

echo; echo "# SSH certificates: dev admits dev-ca's certificates for the developers' principals (the cert-authority line above)."
echo "# dave's CI job issues him a one-hour certificate; doctor says what sshd would do with it, and with one for a stranger"
ssh-keygen -q -t ed25519 -N '' -C dave@ci -f "$S/dave"
echo "\$ ssh-keygen -s $S/dev-ca -I dave@ci -n dave -V +1h $S/dave.pub"
ssh-keygen -q -s "$S/dev-ca" -I dave@ci -z 1 -n dave -V +1h "$S/dave.pub"
ssh-keygen -q -s "$S/dev-ca" -I mallory -z 2 -n mallory -V +1h "$S/carol-hand-added.pub"
run doctor dev --certificate "$S/dave-cert.pub"
run doctor dev --certificate "$S/carol-hand-added-cert.pub"

echo; echo "# carol leaves the developers group: rebuild (only the documents that change get a new serial), review, sync"
cp -r "$S/registry" "$S/registry.published"
sed -i 's/^  - carol@example.com$//' "$S/source/groups.yaml"
build
registry diff "$S/registry.published" "$S/registry"
run sync
echo; echo "# an edit of the published document that nobody signed is refused; the last-known-good snapshot stays"
cp "$S/registry/$HOST.json" "$S/registry/$HOST.json.good"
sed -i 's/"serial": \([0-9]*\)/"serial": 9\1/' "$S/registry/$HOST.json"
run sync
mv "$S/registry/$HOST.json.good" "$S/registry/$HOST.json"
run status
echo; echo "# the registry's revoked list as a KRL for sshd's RevokedKeys (ssh-keygen -Q is the oracle)"
ssh-keygen -Q -f "$S/state/revoked_keys.krl" "$S/signer.pub" || true
run audit verify
run doctor deploy
echo
echo "Now the daemon, polling every 10 s. In another terminal edit $S/source (people/*.keys,"
echo "groups.yaml, access.yaml), then: $R build $S/source --out $S/registry --sign-key $S/signer"
echo "and watch $S/home/*/.ssh/authorized_keys follow; 'kill -HUP <pid>' syncs at once. Ctrl-C stops."
exec "$K" --config "$S/keyagentd.json" run
