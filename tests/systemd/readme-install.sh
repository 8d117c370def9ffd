#!/bin/bash
# The install path of docs/getting-started.md is a test: the blocks of "Install on a host and publish a first registry"
# marked <!-- readme-test: ... --> are extracted (readme-blocks.py) and run as they stand, in order,
# in one shell (readme-run.sh), as root inside a throw-away container with systemd as PID 1
# (container.sh): `dpkg -i` of out/pkg's packages (keyagentd, and keyagentd-registry for the signing machine), allowed_signers, Registry:Url, the registry source,
# build and sign, publish, the nginx server block through `nginx -t` and served by the real nginx over
# TLS, start, the first sync, the sshd drop-in through `sshd -t`, and a real ssh login. A command that
# fails stops the test naming its README line. Prints the time from `dpkg -i` to the first login.
#
# What the test provides, since the README leaves it to the reader (nothing in a block is rewritten):
#   - the inputs the README names, generated here: the signing key ~/.ssh/registry_signer (ssh-keygen
#     without a passphrase, so no prompt), Alice's key pair (alice.pub in the working directory, the
#     private half as her ssh client's identity), a private CA registry-ca.pem and its certificate for
#     keys.example.com at /etc/ssl/keys.example.com/{fullchain,privkey}.pem, and the package under the
#     file name the README uses;
#   - the machines: the container is web-01.example.com, keys.example.com resolves to it (/etc/hosts),
#     nginx and sshd run as after their packages' install, the account alice exists, logins are open
#     (systemd-user-sessions: the container boots to a target of its own, which leaves /run/nologin);
#   - Alice's ssh client: her key, BatchMode and accept-new for the host key (no prompt);
#   - `Match User alice` / `AuthorizedKeysFile none` appended to sshd_config, so the login can only
#     succeed through keyagentd-keys (the README's default file delivery would otherwise let
#     ~/.ssh/authorized_keys answer first).
# Root only; exit 77 = skipped (no namespaces, cgroup2, nginx or sshd here).
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/systemd/harness.sh
container_prerequisites ssh-keygen ssh openssl /usr/sbin/nginx /usr/sbin/sshd

failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
die() { echo "FAIL: $*"; exit 1; }

upstream=$(tr -d ' \n' < VERSION)
# KEYAGENTD_DEB: another build of the package to test (the README names keyagentd_VERSION-1_amd64.deb);
# the signing machine's keyagentd-registry package is the one built beside it (KEYAGENTD_REGISTRY_DEB).
deb=${KEYAGENTD_DEB:-$(package_deb)} || exit 1
registry_deb=${KEYAGENTD_REGISTRY_DEB:-$(dirname "$deb")/keyagentd-registry_${deb##*/keyagentd_}}
[ -f "$registry_deb" ] || die "no $registry_deb beside $deb (make package builds both)"
deb_version=$(dpkg-deb -f "$deb" Version)
[[ $deb_version == "$upstream"-* ]] && pass "the package's Version $deb_version starts with VERSION $upstream" \
    || fail "the package's Version $deb_version does not start with VERSION $upstream"

container_workdir keyagentd-readme
X() { "$ct" exec "$@"; }
XQ() { "$ct" exec "$@" 2>/dev/null; }

# The steps, from the README as it is now.
share=$work/share op=$work/share/operator
mkdir -p "$share" "$op"
/usr/bin/python3 tests/systemd/readme-blocks.py docs/getting-started.md > "$share/readme-steps.sh" || die "docs/getting-started.md: the marked blocks cannot be extracted"
cp tests/systemd/readme-run.sh "$share/"
blocks=$(grep -c '^readme_block ' "$share/readme-steps.sh")
first=$(awk '/^readme_block 1 /{getline; print; exit}' "$share/readme-steps.sh")
last=$(grep -B1 '^readme_done ' "$share/readme-steps.sh" | head -1)
[[ $first == "dpkg -i "* ]] || die "the README's first marked block does not start with dpkg -i: $first"
[[ $last == "ssh "* ]] || die "the README's last marked block does not end with an ssh login: $last"
echo "docs/getting-started.md: $blocks marked blocks, from '$first' to '$last'"

# The inputs the README names.
cp "$deb" "$op/keyagentd_${upstream}-1_amd64.deb"
cp "$registry_deb" "$op/keyagentd-registry_${upstream}-1_amd64.deb"
ssh-keygen -q -t ed25519 -N '' -C registry-signer -f "$share/registry_signer" || die "ssh-keygen"
ssh-keygen -q -t ed25519 -N '' -C alice@laptop -f "$share/alice" || die "ssh-keygen"
cp "$share/alice.pub" "$op/alice.pub"
tls=$share/tls; mkdir "$tls"
openssl() { command openssl "$@" 2>/dev/null || die "openssl $1"; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tls/ca.key" -out "$op/registry-ca.pem" \
    -days 2 -subj "/CN=KeyAgentd README test CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tls/privkey.pem" -out "$tls/server.csr" \
    -subj "/CN=keys.example.com"
printf 'subjectAltName=DNS:keys.example.com\nextendedKeyUsage=serverAuth\n' > "$tls/server.ext"
openssl x509 -req -in "$tls/server.csr" -CA "$op/registry-ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
    -out "$tls/fullchain.pem" -days 2 -extfile "$tls/server.ext"
cat > "$share/ssh_config" <<'EOF'
Host web-01.example.com
    IdentityFile /root/.ssh/alice
    IdentitiesOnly yes
    BatchMode yes
    StrictHostKeyChecking accept-new
    UserKnownHostsFile /root/.ssh/readme-test-known_hosts
EOF

"$ct" start || die "container boot"
X sh -ec '
    hostname web-01.example.com
    echo web-01.example.com > /etc/hostname
    printf "127.0.0.1\tkeys.example.com web-01.example.com\n" >> /etc/hosts
    install -d -m 0700 /root/.ssh
    install -m 0600 /srv/test/registry_signer /root/.ssh/registry_signer
    install -m 0644 /srv/test/registry_signer.pub /root/.ssh/registry_signer.pub
    install -m 0600 /srv/test/alice /root/.ssh/alice
    install -m 0644 /srv/test/ssh_config /etc/ssh/ssh_config.d/00-readme-test.conf
    install -d -m 0755 /etc/ssl/keys.example.com
    install -m 0644 /srv/test/tls/fullchain.pem /etc/ssl/keys.example.com/fullchain.pem
    install -m 0600 /srv/test/tls/privkey.pem /etc/ssl/keys.example.com/privkey.pem
    printf "\nMatch User alice\n    AuthorizedKeysFile none\n" >> /etc/ssh/sshd_config
    useradd -m -s /bin/sh alice
    systemctl start nginx ssh systemd-user-sessions
' || die "container setup"

echo "== the README's install path"
X bash /srv/test/readme-run.sh /srv/test/readme-steps.sh /srv/test/operator 2>&1 | tee "$work/run.log"
rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] && pass "every marked README block ran ($blocks blocks)" \
    || { grep '^FAIL: docs/getting-started.md' "$work/run.log" | sed 's/^FAIL: /FAIL: a README command failed: /'; die "the README's install path stopped (exit $rc)"; }
grep -q "^### done $blocks blocks" "$work/run.log" || die "the run did not reach the end of the README's blocks"

echo "== what it did"
# The last block's last line of output (ssh's own notes, such as the host key it added, come before it).
login=$(awk '/^### block /{out=""; next} /^### done/{print out; exit} NF {out = $0}' "$work/run.log")
[ "$login" = alice ] && pass "ssh alice@web-01.example.com id -un printed: alice" || fail "the login printed: $login"
ssh_log=$(XQ journalctl -u ssh --no-pager -o cat)
grep -qE '^Accepted publickey for alice from 127\.0\.0\.1' <<<"$ssh_log" \
    && pass "sshd: $(grep -m1 -oE '^Accepted publickey for alice .*' <<<"$ssh_log" | cut -c1-90)…" \
    || fail "sshd logged no accepted publickey login for alice"
# (Captured first: grep -q ending early would kill sshd -T with SIGPIPE and fail the pipeline.)
effective=$(XQ sshd -T -C user=alice,host=web-01.example.com,addr=127.0.0.1)
grep -qx 'authorizedkeysfile none' <<<"$effective" \
    && grep -qx 'authorizedkeyscommand /usr/lib/keyagentd/keyagentd-keys %u %f' <<<"$effective" \
    && pass "sshd reads no file for alice: the key came from keyagentd-keys (the drop-in the README enabled)" \
    || fail "sshd's effective configuration for alice is not helper-only"
accepted=$(XQ grep '"snapshot-accepted"' /var/log/keyagentd/audit.jsonl | head -1)
grep -q '"signers":\["release@example.com"\]' <<<"$accepted" \
    && pass "the host applied the snapshot signed by release@example.com (audit: snapshot-accepted)" \
    || fail "no snapshot-accepted record with signer release@example.com: $accepted"
access=$(XQ cat /var/log/nginx/access.log)   # nginx's combined format: "GET /path HTTP/1.1" status
grep -qE '"GET /web-01\.example\.com\.json HTTP/[0-9.]+" 200 ' <<<"$access" \
    && grep -qE '"GET /web-01\.example\.com\.json\.sig HTTP/[0-9.]+" 200 ' <<<"$access" \
    && pass "nginx served web-01.example.com.json and its .sig (200)" \
    || fail "nginx's access log lacks the document or its .sig: $(tail -n 4 <<<"$access")"
v=$(XQ keyagentd --version)
[ "$v" = "$upstream" ] && pass "keyagentd --version: $v (VERSION $upstream, package $deb_version)" \
    || fail "keyagentd --version printed '$v', VERSION is $upstream"

start=$(grep -m1 '^### block 1 ' "$work/run.log" | grep -oE 'at [0-9]+ ms' | grep -oE '[0-9]+')
done_ms=$(grep -m1 '^### done ' "$work/run.log" | grep -oE 'at [0-9]+ ms' | grep -oE '[0-9]+')
echo "== figures"
echo "  dpkg -i to the first signed login, following the README: $(( done_ms - start )) ms ($blocks blocks)"
[ "$failures" = 0 ] && echo "ok: the README's install path works as written" || echo "$failures check(s) failed"
[ "$failures" = 0 ]
