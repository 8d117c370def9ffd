#!/bin/bash
# A throw-away container running a real systemd as PID 1, for tests of the installed package.
#
#   container.sh start          boot; returns once `systemctl is-system-running` has settled
#   container.sh exec CMD...    run CMD inside (all namespaces, its root); stdin/stdout/stderr and
#                               the exit status are CMD's
#   container.sh console        systemd's console output (boot and shutdown messages)
#   container.sh stop           power off (SIGKILL to the whole pid namespace after a timeout),
#                               remove the cgroup; safe to call twice or after a failed start
#
# CT_DIR (required) is the container's runtime directory on the host, made by the caller; the
# caller's files for the container go in $CT_DIR/share, which is /srv/test inside.
# How: systemd gets new pid, mount, uts, ipc, net and cgroup namespaces (unshare), a root that is
# an overlay of the host's / with a tmpfs upper layer (container-init.sh), a group of its own in
# the host's cgroup2 hierarchy, and a pty as /dev/console (console.py). The host's root, network,
# processes and cgroup v1 groups are never touched; only loopback exists inside.
# It is a privileged container (real root): it keeps a test from changing the host by accident,
# it is not a boundary against hostile code. Resource limits (MemoryMax=, TasksMax=...) are not
# enforced inside when the host's controllers live on cgroup v1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dir=${CT_DIR:?set CT_DIR to the container runtime directory}
[ -d "$dir" ] || { echo "container.sh: $dir does not exist" >&2; exit 1; }
name=keyagentd-test-$(basename "$dir" | tr -c 'A-Za-z0-9_\n-' _)
cap_drop=-sys_module,-sys_rawio,-sys_time,-wake_alarm,-mac_admin,-mac_override,-syslog,-sys_pacct,-block_suspend,-audit_control,-audit_read
inside_env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
            LANG=C.UTF-8 TERM=dumb SYSTEMD_PAGER=cat PAGER=cat SYSTEMD_COLORS=0)

die() { echo "container.sh: $*" >&2; exit 1; }

# The cgroup2 hierarchy: /sys/fs/cgroup/unified on a hybrid host, /sys/fs/cgroup on a pure one.
cgroup_root() {
    local d
    for d in /sys/fs/cgroup/unified /sys/fs/cgroup; do
        [ "$(stat -f -c %T "$d" 2>/dev/null)" = cgroup2fs ] && { echo "$d"; return 0; }
    done
    return 1
}

# The host pid of the container's systemd, only while it is alive (pid 1 in its namespace).
systemd_pid() {
    local pid
    pid=$(cat "$dir/systemd.pid" 2>/dev/null) || return 1
    grep -qE "^NSpid:[[:space:]]+$pid[[:space:]]+1$" "/proc/$pid/status" 2>/dev/null || return 1
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = systemd ] || return 1
    echo "$pid"
}

inside() { # inside PID CMD...
    local pid=$1; shift
    nsenter -t "$pid" -a setpriv --bounding-set "$cap_drop" --inh-caps -all -- "${inside_env[@]}" "$@"
}

remove_cgroup() {
    local cg i
    cg=$(cat "$dir/cgroup" 2>/dev/null) || return 0
    for i in $(seq 1 50); do   # groups empty out while killed processes are reaped
        [ -d "$cg" ] || break
        find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
        sleep 0.1
    done
    [ ! -d "$cg" ] || { echo "container.sh: could not remove $cg" >&2; return 1; }
    rm -f "$dir/cgroup"
}

start() {
    local base cg wrapper unshare_pid pid="" i state t0
    systemd_pid >/dev/null && die "already running"
    base=$(cgroup_root) || die "no cgroup2 hierarchy on this host"
    cg=$base/$name
    mkdir "$cg" || die "cannot create $cg"
    echo "$cg" > "$dir/cgroup"
    mkdir -p "$dir/share"
    t0=$(date +%s%N)
    CT_RUN=$dir CT_CGROUP=$cg CT_SHARE=$dir/share CT_CAP_DROP=$cap_drop \
    CT_HOST_MNTNS=$(readlink /proc/self/ns/mnt) \
        setsid /usr/bin/python3 "$here/console.py" "$dir/console.log" "$dir/unshare.pid" -- \
        unshare --pid --fork --mount --uts --ipc --net --propagation private "$here/container-init.sh" \
        </dev/null >"$dir/wrapper.log" 2>&1 &
    wrapper=$!
    echo "$wrapper" > "$dir/wrapper.pid"
    # systemd is the child unshare forked into the new pid namespace.
    for i in $(seq 1 200); do
        if unshare_pid=$(cat "$dir/unshare.pid" 2>/dev/null); then
            pid=$(awk '{print $1}' "/proc/$unshare_pid/task/$unshare_pid/children" 2>/dev/null || true)
            [ -n "$pid" ] && break
        fi
        kill -0 "$wrapper" 2>/dev/null || break
        sleep 0.05
    done
    [ -n "$pid" ] || { cat "$dir/wrapper.log" "$dir/console.log" >&2 2>/dev/null || true; die "the container did not start"; }
    echo "$pid" > "$dir/systemd.pid"
    for i in $(seq 1 600); do
        [ -S "/proc/$pid/root/run/systemd/private" ] && break
        kill -0 "$pid" 2>/dev/null || { tail -n 30 "$dir/console.log" >&2; die "systemd died while booting"; }
        sleep 0.1
    done
    state=$(timeout 60 nsenter -t "$pid" -a "${inside_env[@]}" systemctl is-system-running --wait 2>/dev/null || true)
    case $state in
        running|degraded) ;;
        *) tail -n 30 "$dir/console.log" >&2; die "boot did not finish (state '${state:-none}')";;
    esac
    printf 'container: systemd %s booted (%s) in %d ms\n' "$pid" "$state" $(( ($(date +%s%N) - t0) / 1000000 )) >&2
}

stop() {
    local pid wrapper i
    if pid=$(systemd_pid); then
        kill -s RTMIN+4 "$pid"   # systemctl poweroff; in a container systemd-shutdown then exits
        for i in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "container.sh: no clean power-off in 30 s, killing the pid namespace" >&2
            kill -KILL "$pid"
        fi
    fi
    if wrapper=$(cat "$dir/wrapper.pid" 2>/dev/null); then
        for i in $(seq 1 50); do kill -0 "$wrapper" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$wrapper" 2>/dev/null && grep -q console.py "/proc/$wrapper/cmdline" 2>/dev/null; then
            kill "$wrapper"
        fi
    fi
    remove_cgroup
    rm -f "$dir/systemd.pid" "$dir/unshare.pid" "$dir/wrapper.pid"
    # The mounts lived in the container's mount namespace only; make sure none leaked out.
    if grep -qF " $dir/" /proc/self/mountinfo; then die "mounts under $dir visible on the host"; fi
}

command=${1:-}; [ $# -gt 0 ] && shift
case $command in
    start) start ;;
    stop) stop ;;
    exec) [ $# -gt 0 ] || die "usage: container.sh exec CMD [ARG...]"
          pid=$(systemd_pid) || die "not running"
          inside "$pid" "$@" ;;
    console) cat "$dir/console.log" ;;
    *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
