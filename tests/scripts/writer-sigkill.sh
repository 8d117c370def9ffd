#!/usr/bin/env bash
# An interrupted write leaves the old file or the new one, never a mix (README "Safety rules").
# A small program calls the real HomeKeyFiles in a loop, alternating two large contents,
# and is SIGKILLed at a random moment, 30 times; after each kill authorized_keys must be exactly
# one of the two, 0600 and owned by the user. A final write must clean up the stale temp file.
# Also checks unprivileged runs: the user may write their own file, another user gets needs-root.
# Exit 0 pass, 1 fail, 77 skip (with the reason printed). Needs root: it creates a real account.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
iterations=${ITERATIONS:-30}

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root: creates a real account"; exit 77; }
command -v useradd >/dev/null || { echo "SKIP: useradd not available"; exit 77; }
command -v dotnet >/dev/null || { echo "SKIP: dotnet not on PATH"; exit 77; }

letters=abcdefghijklmnopqrstuvwxyz name=kat
for _ in 1 2 3 4 5 6; do name+=${letters:RANDOM%26:1}; done
hammer_pid=
cleanup() {
  [ -n "$hammer_pid" ] && kill -9 "$hammer_pid" 2>/dev/null || true
  userdel -r "$name" >/dev/null 2>&1 || true
  [ -n "${work:-}" ] && rm -rf "$work"
}
trap cleanup EXIT
work=$(mktemp -d /var/tmp/keyagentd-sigkill-XXXXXX)
chmod 0755 "$work"
mkdir -m 0755 "$work/home"

useradd --create-home --base-dir "$work/home" --shell /bin/sh "$name"
uid=$(id -u "$name"); gid=$(id -g "$name"); home="$work/home/$name"
keyfile="$home/.ssh/authorized_keys"; temp="$home/.ssh/authorized_keys.keyagentd-tmp"

# The product has no command that writes an arbitrary file (on purpose), so the test brings
# its own caller: a .NET file-based app referencing the real project.
mkdir "$work/hammer"
cat > "$work/hammer/hammer.cs" <<EOF
#:project $repo/src/KeyAgentd/KeyAgentd.csproj
#:property PublishAot=false
using KeyAgentd.Accounts;
using KeyAgentd.Homes;

var account = new AccountInfo(args[0], uint.Parse(args[1]), uint.Parse(args[2]), args[3], "/bin/sh");
string a = File.ReadAllText(args[4]);
string b = File.ReadAllText(args[5]);
var writer = new HomeKeyFiles();
if (args[6] is "a" or "b")
{
    var once = writer.WriteAuthorizedKeys(account, args[6] == "a" ? a : b);
    Console.WriteLine(once);
    return once.Status == FileWriteStatus.Refused ? 1 : 0;
}
Console.WriteLine("ready");
for (long i = 0; ; i++)
{
    var result = writer.WriteAuthorizedKeys(account, i % 2 == 0 ? a : b);
    if (result.Status == FileWriteStatus.Refused)
    {
        Console.Error.WriteLine(result);
        return 1;
    }
}
EOF
echo "building the hammer..."
timeout 600 dotnet build "$work/hammer/hammer.cs" -o "$work/hammer/bin" --nologo -v quiet >"$work/build.log" 2>&1 \
  || { cat "$work/build.log"; echo "FAIL: could not build the hammer"; exit 1; }

# Two contents of ~900 KB: long enough that most kills land inside a write.
python3 - "$work" <<'EOF'
import sys
work = sys.argv[1]
for name, tag in (("a", "alpha"), ("b", "bravo")):
    line = f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl {tag}\n"
    with open(f"{work}/{name}", "w") as f:
        f.write(line * (900_000 // len(line)))
EOF
sum_a=$(sha256sum <"$work/a" | cut -d' ' -f1)
sum_b=$(sha256sum <"$work/b" | cut -d' ' -f1)

# An array, not a function: "cmd &" on a simple command makes $! the dotnet process itself,
# where a backgrounded function would be a subshell and SIGKILL would orphan the writer.
hammer=(dotnet "$work/hammer/bin/hammer.dll" "$name" "$uid" "$gid" "$home" "$work/a" "$work/b")
"${hammer[@]}" a >/dev/null

killed_mid_write=0
seed=${SEED:-$$}; RANDOM=$seed   # SEED=N replays the same kill delays
echo "SEED=$seed"
for i in $(seq 1 "$iterations"); do
  rm -f "$work/out" "$work/err"
  "${hammer[@]}" loop >"$work/out" 2>"$work/err" &
  hammer_pid=$!
  for _ in $(seq 1 1200); do grep -q ready "$work/out" 2>/dev/null && break; sleep 0.05; done  # up to 60 s: start-up on a loaded machine
  grep -q ready "$work/out" || { cat "$work/out" "$work/err"; echo "FAIL: iteration $i: hammer did not start"; exit 1; }
  sleep "0.$(printf '%03d' $((RANDOM % 400 + 20)))"
  [ -e "$temp" ] && killed_mid_write=$((killed_mid_write + 1))
  kill -9 "$hammer_pid"
  wait "$hammer_pid" 2>/dev/null || true
  hammer_pid=
  [ -s "$work/err" ] && { cat "$work/err"; echo "FAIL: the writer refused during the loop"; exit 1; }

  sum=$(sha256sum <"$keyfile" | cut -d' ' -f1)
  if [ "$sum" != "$sum_a" ] && [ "$sum" != "$sum_b" ]; then
    echo "FAIL: iteration $i: authorized_keys is neither the old nor the new content ($(stat -c %s "$keyfile") bytes)"
    exit 1
  fi
  perms=$(stat -c '%a %u %g %h' "$keyfile")
  [ "$perms" = "600 $uid $gid 1" ] || { echo "FAIL: iteration $i: authorized_keys is '$perms'"; exit 1; }
done

"${hammer[@]}" a >/dev/null || { echo "FAIL: write after the kills was refused"; exit 1; }
[ ! -e "$temp" ] || { echo "FAIL: stale temp file survived the next write"; exit 1; }
[ "$(sha256sum <"$keyfile" | cut -d' ' -f1)" = "$sum_a" ] || { echo "FAIL: final write did not land"; exit 1; }

# Unprivileged runs: a user may manage their own file (no chown needed); anyone else gets needs-root.
out=$(runuser -u "$name" -- "${hammer[@]}" b) || { echo "FAIL: the user could not write their own file: $out"; exit 1; }
[ "$out" = Written ] || { echo "FAIL: the user's own write: $out"; exit 1; }
[ "$(sha256sum <"$keyfile" | cut -d' ' -f1)" = "$sum_b" ] || { echo "FAIL: the user's write did not land"; exit 1; }
[ "$(stat -c '%a %u %g' "$keyfile")" = "600 $uid $gid" ] || { echo "FAIL: the user's write left $(stat -c '%a %u %g' "$keyfile")"; exit 1; }
if out=$(runuser -u nobody -- "${hammer[@]}" a); then
  echo "FAIL: nobody wrote $name's file: $out"; exit 1
fi
grep -q needs-root <<<"$out" || { echo "FAIL: nobody's write: expected needs-root, got: $out"; exit 1; }
[ "$(sha256sum <"$keyfile" | cut -d' ' -f1)" = "$sum_b" ] || { echo "FAIL: nobody's refused write changed the file"; exit 1; }

echo "ok: $iterations SIGKILLs, $killed_mid_write observed with a temp file in place; authorized_keys was always whole"
[ "$killed_mid_write" -gt 0 ] || { echo "FAIL: no kill landed inside a write: the test proved nothing"; exit 1; }
