#!/usr/bin/env bash
# Benchmark: the sshd AuthorizedKeysCommand helper's wall time per call (sshd runs it on every
# public-key attempt). Median over RUNS runs of `keyagentd-keys USER` for a user with 50 keys and one
# with 5,000, each next to `cat` of the same cache file (the floor: fork+exec+read), and a hello
# world published exactly like the helper (NativeAOT: the runtime's own start-up). The extra rows
# split the gap: the helper with no cache file (start-up + argument checks, no key parsing) and
# with %f, and chained with --then to /bin/true (what chaining adds: a fork+exec and a wait). Peak RSS from /usr/bin/time when installed (GNU time), else from a python wait4.
# Uses hyperfine when installed, otherwise a bash loop timed with date +%s%N.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-200}
HELPER=${HELPER:-$PWD/out/bin/keyagentd-keys}
[ -x "$HELPER" ] || { echo "$HELPER missing: run make publish"; exit 1; }
# keyagentd-keys serves only a root-owned cache under root-owned directories none of which is
# group/world-writable (so not under /tmp): the state directory goes under /var/lib, as on a host.
[ "$(id -u)" = 0 ] || { echo "needs root: keyagentd-keys serves only root-owned caches"; exit 1; }
work=$(mktemp -d -p /var/lib keyagentd-bench-XXXXXX); chmod 755 "$work"; trap 'rm -rf "$work"' EXIT
mkdir -p "$work/state/keys"

cache() { # keys.pub → a cache file with every fifth key carrying an expiry-time, as the daemon writes it
  { echo "# keyagentd: managed by keyagentd, changes are overwritten"
    # gen-keys.py gives some lines options already: expiry-time joins them with a comma.
    awk '{ if (NR % 5 != 0) print; else if ($1 ~ /^(ssh-|ecdsa-|sk-)/) print "expiry-time=\"20991231000000Z\" " $0;
           else print "expiry-time=\"20991231000000Z\"," $0 }' "$1"; } > "$2.body"
  # The daemon's first line (CacheIndex): the body's length, and the earliest moment any key could
  # expire in any zone (the earliest expiry-time read as UTC, minus 14 h). Every generated line is
  # sound, so that is all it takes; the unit tests hold the daemon to the same line.
  python3 - "$2.body" <<'IDX' > "$2"
import calendar, re, sys
body = open(sys.argv[1], "rb").read()
stamps = [calendar.timegm((int(v[:4]), int(v[4:6]), int(v[6:8]), int(v[8:10] or 0), int(v[10:12] or 0), int(v[12:14] or 0)))
          for v in (m.ljust(14, "0") for m in re.findall(r'expiry-time="(\d{8,14})Z?"', body.decode()))]
until = str(min(stamps) - 14 * 3600) if stamps else "never"
sys.stdout.buffer.write(f"#keyagentd-cache v1 length={len(body)} whole-until={until}\n".encode() + body)
IDX
  cp "$2.body" "$3"   # the same keys without the index: judged line by line (a cache from an older daemon)
  rm "$2.body"; chmod 644 "$2" "$3"
}
python3 bench/gen-keys.py 50 "$work/keys.pub"
cache "$work/keys.pub" "$work/state/keys/alice" "$work/state/keys/alice-lines"
python3 bench/gen-keys.py 5000 "$work/many.pub"
cache "$work/many.pub" "$work/state/keys/bob" "$work/state/keys/bob-lines"
# Served whole from the index (the header comment comes with it), and the same keys line by line.
[ "$("$HELPER" --state-dir "$work/state" bob | head -1)" = "# keyagentd: managed by keyagentd, changes are overwritten" ] || { echo "helper did not serve the indexed cache whole"; exit 1; }
[ "$("$HELPER" --state-dir "$work/state" bob-lines | wc -l)" -eq 5000 ] || { echo "helper did not print 5000 keys"; exit 1; }
cmp -s <("$HELPER" --state-dir "$work/state" bob | grep -v '^#') <("$HELPER" --state-dir "$work/state" bob-lines) || { echo "indexed and line-by-line keys differ"; exit 1; }
fp=$(ssh-keygen -l -f "$work/keys.pub" | sed -n 25p | awk '{print $2}')
[ "$("$HELPER" --state-dir "$work/state" alice | grep -vc '^#')" -eq 50 ] || { echo "helper did not print 50 keys"; exit 1; }
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
t_lines=$(median_ms "$HELPER" --state-dir "$work/state" alice-lines)
t_fp=$(median_ms "$HELPER" --state-dir "$work/state" alice "$fp")
t_then=$(median_ms "$HELPER" --state-dir "$work/state" alice "$fp" --then /bin/true alice "$fp")
t_cat_many=$(median_ms cat "$work/state/keys/bob")
t_many=$(median_ms "$HELPER" --state-dir "$work/state" bob)
t_many_lines=$(median_ms "$HELPER" --state-dir "$work/state" bob-lines)
peak_kb() { python3 -c '
import os, resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"; }
rss_50=$(peak_kb "$HELPER" --state-dir "$work/state" alice)
rss_5000=$(peak_kb "$HELPER" --state-dir "$work/state" bob)
rss_cat=$(peak_kb cat "$work/state/keys/bob")
tool=$(command -v hyperfine > /dev/null && echo hyperfine || echo "bash loop, date +%s%N")
python3 - "$RUNS" "$tool" "$t_cat" "$t_hello" "$t_empty" "$t_helper" "$t_lines" "$t_fp" "$t_then" "$t_cat_many" "$t_many" "$t_many_lines" "$rss_cat" "$rss_50" "$rss_5000" <<'PY'
import sys
runs, tool = sys.argv[1], sys.argv[2]
cat, hello, empty, helper, lines, fp, then, cat_many, many, many_lines, rss_cat, rss_50, rss_5000 = map(float, sys.argv[3:])
print(f"keyagentd-keys for a user with 50 keys, median of {runs} runs ({tool}):")
print(f"  cat keys/alice                     {cat:8.2f} ms")
print(f"  hello world (same publish)         {hello:8.2f} ms   {hello / cat:6.1f}x cat")
print(f"  keyagentd-keys nobody (no file)    {empty:8.2f} ms   {empty / hello:6.2f}x hello")
print(f"  keyagentd-keys alice               {helper:8.2f} ms   {helper / hello:6.2f}x hello  {helper / cat:6.1f}x cat")
print(f"  keyagentd-keys alice, line by line{lines:8.2f} ms   {lines / hello:6.2f}x hello  {lines / cat:6.1f}x cat  (no index)")
print(f"  keyagentd-keys alice %f            {fp:8.2f} ms   {fp / hello:6.2f}x hello")
print(f"  keyagentd-keys alice %f --then true{then:8.2f} ms   {then / hello:6.2f}x hello  chaining {then - fp:+6.2f} ms")
print(f"  gap to cat: runtime start-up {hello - cat:6.2f} ms, our assemblies + checks {empty - hello:6.2f} ms,"
      f" serving 50 keys {helper - empty:6.2f} ms (line by line {lines - empty:6.2f} ms)")
print(f"  cat keys/bob (5,000 keys)          {cat_many:8.2f} ms")
print(f"  keyagentd-keys bob (5,000 keys)    {many:8.2f} ms   {many / cat_many:6.1f}x cat   {(many - empty) / 5000 * 1000:6.2f} us/key")
print(f"  keyagentd-keys bob, line by line   {many_lines:8.2f} ms   {many_lines / cat_many:6.1f}x cat   {(many_lines - empty) / 5000 * 1000:6.2f} us/key  (no index)")
print(f"  peak RSS: cat {rss_cat / 1024:.1f} MiB, keyagentd-keys 50 keys {rss_50 / 1024:.1f} MiB, 5,000 keys {rss_5000 / 1024:.1f} MiB")
PY
