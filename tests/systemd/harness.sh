# Shared by the tests that run the package in the container (sourced, not run; from the repository
# root, with `set -uo pipefail`):
#   container_prerequisites TOOL...   exit 77 (skipped, with the reason) unless this machine can boot
#                                     the container: root, the tools, amd64, cgroup2, namespaces, and
#                                     no keyagentd installed on the host (the container's root shows
#                                     the host's through its lower layer, installed packages included)
#   package_deb [PACKAGE]             the path of out/pkg/PACKAGE_<VERSION>-1_amd64.deb (keyagentd
#                                     unless named), built first when missing
#   container_workdir PREFIX          makes the work directory ($work, also CT_DIR) and $ct, and stops
#                                     the container and removes the directory at exit
#                                     (KEEP_CONTAINER=1: left running after a failure)
#   container_files                   the container's files under /etc /usr /lib/systemd /var/lib
#                                     /var/log, sorted, minus those that churn on their own
#   files_changed BEFORE AFTER        the paths of BEFORE and AFTER (container_files lists) that a
#                                     purge did not put back: "left X" and "gone X" lines
skip() { echo "skip: $*"; exit 77; }

container_prerequisites() {
    local tool
    [ "$(id -u)" = 0 ] || skip "needs root (namespaces, mounts, cgroups)"
    for tool in unshare nsenter setpriv dpkg-deb /usr/bin/python3 /lib/systemd/systemd "$@"; do
        command -v "$tool" >/dev/null || skip "$tool not available"
    done
    [ "$(dpkg --print-architecture)" = amd64 ] || skip "the package is linux-x64 (amd64) only"
    [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null || stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] \
        || skip "no cgroup2 hierarchy to give the container's systemd"
    unshare --pid --fork --mount --uts --ipc --net --cgroup true 2>/dev/null \
        || skip "cannot create pid/mount/uts/ipc/net/cgroup namespaces here"
    if dpkg-query -W -f='${db:Status-Status}' keyagentd 2>/dev/null | grep -qv '^not-installed$'; then
        skip "keyagentd is installed on this host; the container would start with it installed"
    fi
}

package_deb() {
    local deb
    deb=out/pkg/${1:-keyagentd}_$(tr -d ' \n' < VERSION)-1_amd64.deb
    if [ ! -f "$deb" ]; then
        # In `make test` package-install.sh has just published this tree into out/pkg/publish (and
        # packaged it under another version): repackaging that publish saves minutes of a second one.
        echo "building $deb (make package, reusing out/pkg/publish when present)" >&2
        SKIP_PUBLISH=1 timeout 1800 make -s package ARCHS=amd64 >/dev/null || { echo "FAIL: make package" >&2; exit 1; }
    fi
    echo "$deb"
}

container_workdir() {
    work=$(mktemp -d "/tmp/$1.XXXXXX")
    export CT_DIR=$work
    ct=$(pwd)/tests/systemd/container.sh
    trap container_cleanup EXIT
    trap 'exit 130' INT TERM
}

container_cleanup() {
    local rc=$?
    if [ -n "${KEEP_CONTAINER:-}" ] && [ "$rc" != 0 ]; then
        echo "KEEP_CONTAINER set: container left running, CT_DIR=$work" >&2
        exit "$rc"
    fi
    "$ct" stop || rc=1
    # Everything the container wrote lived in its own tmpfs; the work directory holds keys and logs.
    grep -qF " $work/" /proc/self/mountinfo || rm -rf "$work"
    exit "$rc"
}

# (Uses $ct: after container_workdir, while the container runs.)
container_files() {
    "$ct" exec sh -c 'find /etc /usr /lib/systemd /var/lib /var/log -xdev 2>/dev/null' 2>/dev/null \
        | grep -Ev '^/var/lib/(dpkg/(lock|triggers/|[a-z]+-old$|status$|available$|info/format)|apt/|systemd/(timers|coredump|catalog))|^/var/log/(journal|dpkg\.log|apt|alternatives\.log)|^/etc/(passwd|group|shadow|gshadow|subuid|subgid)-$|^/etc/\.pwd\.lock$|^/etc/ld\.so\.cache$' \
        | sort
}

files_changed() {
    # The lower layer is the live host root: a path the host itself gained (or lost) meanwhile, e.g. a
    # package someone installed there, is not the container's doing.
    comm -13 <(echo "$1") <(echo "$2") | while read -r f; do [ -e "$f" ] || [ -L "$f" ] || echo "left $f"; done
    comm -23 <(echo "$1") <(echo "$2") | while read -r f; do [ -e "$f" ] || [ -L "$f" ] && echo "gone $f"; done
    return 0
}
