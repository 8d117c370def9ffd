#!/usr/bin/python3
"""Run a command with a new pseudo-terminal as its terminal and record what it prints.

usage: console.py LOGFILE PIDFILE -- COMMAND [ARG...]

The container's systemd uses that terminal as /dev/console (container-init.sh binds the
slave, named in $KEYAGENTD_CONSOLE, over it). This process holds a slave descriptor of its
own for as long as it runs: systemd closes and reopens /dev/console at will, and a pty whose
last slave closes makes reads on the master fail. It writes the child's pid to PIDFILE
(atomically) and exits with the child's status.
"""
import os
import select
import sys


def main() -> int:
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit(__doc__)
    log_path, pid_path, command = sys.argv[1], sys.argv[2], sys.argv[4:]
    master, slave = os.openpty()
    os.environ["KEYAGENTD_CONSOLE"] = os.ttyname(slave)
    child = os.fork()
    if child == 0:
        os.setsid()
        os.close(master)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.execvp(command[0], command)
    with open(pid_path + ".new", "w") as f:
        print(child, file=f)
    os.replace(pid_path + ".new", pid_path)
    with open(log_path, "ab", buffering=0) as log:
        while True:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    chunk = b""
                if chunk:
                    log.write(chunk)
                    continue
            done, status = os.waitpid(child, os.WNOHANG)
            if done == child:
                return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
