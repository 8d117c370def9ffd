#!/bin/bash
# PID 1 of the test container's new pid/mount/uts/ipc/net namespaces (container.sh starts it through
# unshare); it adds a cgroup namespace, builds the root and execs systemd in its place.
# Root: an overlay whose lower layer is the host's / (never written) and whose upper layer is a
# tmpfs, so dpkg, useradd and the journal inside change nothing on the host. Every mount is made
# in this private mount namespace and vanishes with it.
set -euo pipefail

run=${CT_RUN:?}; cgroup=${CT_CGROUP:?}; share=${CT_SHARE:?}
console=${KEYAGENTD_CONSOLE:?started without console.py}
root=$run/root
say() { echo "container-init: $*" >&2; }

[ $$ = 1 ] || { say "not PID 1 of a new pid namespace"; exit 1; }
[ "$(readlink /proc/self/ns/mnt)" != "${CT_HOST_MNTNS:?}" ] || { say "still in the host's mount namespace"; exit 1; }

# Only this process (the future systemd) joins the test's cgroup, then a cgroup namespace is rooted
# there: systemd sees a cgroup2 tree of its own, and the unshare parent on the host stays outside
# (systemd fails with EIO on processes in its root group that it cannot see).
if [ -z "${CT_IN_CGROUP_NS:-}" ]; then
    echo 0 > "$cgroup/cgroup.procs"
    CT_IN_CGROUP_NS=1 exec unshare --cgroup "$0"
fi

mount --make-rprivate /

# The root: the upper layer must be on another file system than the lower one, hence the tmpfs.
mkdir -p "$run/layers" "$root"
mount -t tmpfs -o mode=0755,size=1g keyagentd-test-upper "$run/layers"
mkdir "$run/layers/upper" "$run/layers/work"
mount -t overlay keyagentd-test-root \
    -o "lowerdir=/,upperdir=$run/layers/upper,workdir=$run/layers/work" "$root"

# API file systems, as systemd-nspawn sets them up: a proc of this pid namespace with the
# host-global /proc/sys read-only, sysfs read-only, and a cgroup2 mount (pure "unified" mode).
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
for p in sys sysrq-trigger; do
    [ -e "$root/proc/$p" ] || continue
    mount --bind "$root/proc/$p" "$root/proc/$p"
    mount -o remount,bind,ro,nosuid,nodev,noexec "$root/proc/$p"
done
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$root/sys/fs/cgroup"

# A minimal /dev: no block devices, a pty instance of its own, the console from console.py.
dev=$root/dev
mount -t tmpfs -o mode=0755,nosuid,size=4m keyagentd-test-dev "$dev"
while read -r name major minor; do mknod -m 0666 "$dev/$name" c "$major" "$minor"; done <<'NODES'
null 1 3
zero 1 5
full 1 7
random 1 8
urandom 1 9
tty 5 0
NODES
mkdir -m 0755 "$dev/pts" "$dev/mqueue"
mkdir -m 1777 "$dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5,nosuid,noexec devpts "$dev/pts"
ln -s pts/ptmx "$dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev keyagentd-test-shm "$dev/shm"
mount -t mqueue -o nosuid,nodev,noexec mqueue "$dev/mqueue"
ln -s /proc/self/fd "$dev/fd"
ln -s /proc/self/fd/0 "$dev/stdin"
ln -s /proc/self/fd/1 "$dev/stdout"
ln -s /proc/self/fd/2 "$dev/stderr"
touch "$dev/console"
mount --bind "$console" "$dev/console"

mount -t tmpfs -o mode=0755,nosuid,nodev,size=128m keyagentd-test-run "$root/run"
mount -t tmpfs -o mode=1777,nosuid,nodev,size=512m keyagentd-test-tmp "$root/tmp"
# The test's exchange directory (the packages to install), live in both directions.
mkdir -p "$root/srv/test"
mount --bind "$share" "$root/srv/test"

# Identity and boot configuration, written to the upper layer only.
hostname keyagentd-test
echo keyagentd-test > "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tkeyagentd-test\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
machine_id=$(tr -d - < /proc/sys/kernel/random/uuid)
echo "$machine_id" > "$root/etc/machine-id"
: > "$root/etc/fstab"
units=$root/etc/systemd/system
mkdir -p "$units"
# Nothing host-specific starts: no timers, gettys, clock or network managers. ssh.service is left
# alone; the test starts it itself to prove the package never restarts it.
for unit in timers.target getty.target getty@tty1.service console-getty.service \
        systemd-timesyncd.service systemd-pstore.service systemd-logind.service \
        systemd-networkd.service systemd-networkd-wait-online.service systemd-resolved.service \
        networking.service ifupdown-wait-online.service NetworkManager-wait-online.service \
        e2scrub_reap.service cron.service postgresql.service; do
    ln -sf /dev/null "$units/$unit"
done
cat > "$units/keyagentd-test.target" <<'UNIT'
[Unit]
Description=KeyAgentd systemd test container
Requires=basic.target
After=basic.target
AllowIsolate=yes
UNIT
ln -sf keyagentd-test.target "$units/default.target"

# A real root mount, not a chroot: services with mount namespaces of their own (every hardened
# unit) need one.
cd "$root"
pivot_root . .
umount -l .
cd /

# Capabilities that reach beyond the container (modules, raw I/O, the clock, audit, syslog) are
# dropped from the bounding set of everything that runs inside.
exec setpriv --bounding-set "${CT_CAP_DROP:?}" --inh-caps -all -- \
    env -i container=keyagentd-test container_uuid="$machine_id" TERM=vt220 SYSTEMD_COLORS=0 \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /lib/systemd/systemd --log-target=journal-or-kmsg --log-color=no --show-status=yes
