#!/usr/bin/env bash
# Benchmark: the sshd AuthorizedKeysCommand helper's wall time per call (sshd runs it on every
# public-key attempt). Median over RUNS runs of `keyagentd-keys USER` for a user with 50 keys, next
# to `cat` of the same cache file (the floor: fork+exec+read) and a hello-world published exactly
# like the helper (the .NET runtime's own start-up). The extra rows split the gap: the helper with
# no cache file (runtime + our assemblies + argument checks, no key parsing) and with %f.
# Uses hyperfine when installed, otherwise a bash loop timed with date +%s%N.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-200}
HELPER=${HELPER:-$PWD/out/bin/keyagentd-keys}
[ -x "$HELPER" ] || { echo "$HELPER missing: run make publish"; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/state/keys"

python3 bench/gen-keys.py 50 "$work/keys.pub"
{ echo "# keyagentd: managed by keyagentd, changes are overwritten"
  n=0; while read -r line; do
    n=$((n + 1)); if [ $((n % 5)) -eq 0 ]; then echo "expiry-time=\"20991231000000Z\" $line"; else echo "$line"; fi
  done < "$work/keys.pub"; } > "$work/state/keys/alice"
chmod 644 "$work/state/keys/alice"
fp=$(ssh-keygen -l -f "$work/keys.pub" | sed -n 25p | awk '{print $2}')
[ "$("$HELPER" --state-dir "$work/state" alice | wc -l)" -eq 50 ] || { echo "helper did not print 50 keys"; exit 1; }
[ "$("$HELPER" --state-dir "$work/state" alice "$fp" | wc -l)" -eq 1 ] || { echo "helper did not select one key by %f"; exit 1; }

# The hello world gets the helper's own csproj (same publish properties), minus its code.
mkdir -p "$work/hello"
sed -e '/ProjectReference/d' -e '/InternalsVisibleTo/d' -e 's/<AssemblyName>keyagentd-keys</<AssemblyName>hello</' \
    src/KeyAgentd.KeysCommand/KeyAgentd.KeysCommand.csproj > "$work/hello/hello.csproj"
cat > "$work/hello/Program.cs" <<'CS'
using var stdout = new System.IO.StreamWriter(System.Console.OpenStandardOutput());
stdout.Write("hello\n");
CS
printf '<Project><PropertyGroup><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><Nullable>enable</Nullable></PropertyGroup></Project>\n' > "$work/hello/Directory.Build.props"
echo '<Project />' > "$work/hello/Directory.Packages.props"
dotnet publish "$work/hello/hello.csproj" -c Release -o "$work/hello/out" -nologo -clp:ErrorsOnly > "$work/hello/publish.log" 2>&1 \
  || { cat "$work/hello/publish.log"; exit 1; }
HELLO="$work/hello/out/hello"

median_ms() {  # median wall time in ms of RUNS runs of "$@" (stdout discarded)
  if command -v hyperfine > /dev/null; then
    hyperfine -N -w 5 -r "$RUNS" --export-json "$work/h.json" -- "$(printf '%q ' "$@")" > /dev/null 2>&1
    python3 -c "import json; print('%.2f' % (json.load(open('$work/h.json'))['results'][0]['median'] * 1000))"
  else
    for _ in 1 2 3 4 5; do "$@" > /dev/null; done
    for _ in $(seq "$RUNS"); do
      local t0 t1; t0=$(date +%s%N); "$@" > /dev/null; t1=$(date +%s%N); echo $((t1 - t0))
    done | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.2f\n", m / 1e6 }'
  fi
}

t_cat=$(median_ms cat "$work/state/keys/alice")
t_hello=$(median_ms "$HELLO")
t_empty=$(median_ms "$HELPER" --state-dir "$work/state" nobody)
t_helper=$(median_ms "$HELPER" --state-dir "$work/state" alice)
t_fp=$(median_ms "$HELPER" --state-dir "$work/state" alice "$fp")
tool=$(command -v hyperfine > /dev/null && echo hyperfine || echo "bash loop, date +%s%N")
python3 - "$RUNS" "$tool" "$t_cat" "$t_hello" "$t_empty" "$t_helper" "$t_fp" <<'PY'
import sys
runs, tool = sys.argv[1], sys.argv[2]
cat, hello, empty, helper, fp = map(float, sys.argv[3:])
print(f"keyagentd-keys for a user with 50 keys, median of {runs} runs ({tool}):")
print(f"  cat keys/alice                     {cat:8.2f} ms")
print(f"  hello world (same publish)         {hello:8.2f} ms   {hello / cat:6.1f}x cat")
print(f"  keyagentd-keys nobody (no file)    {empty:8.2f} ms   {empty / hello:6.2f}x hello")
print(f"  keyagentd-keys alice               {helper:8.2f} ms   {helper / hello:6.2f}x hello  {helper / cat:6.1f}x cat")
print(f"  keyagentd-keys alice %f            {fp:8.2f} ms   {fp / hello:6.2f}x hello")
print(f"  gap to cat: runtime start-up {hello - cat:6.2f} ms, our assemblies + checks {empty - hello:6.2f} ms,"
      f" parsing 50 keys {helper - empty:6.2f} ms")
PY
