#!/usr/bin/env python3
# bench/measure.py - runs one command and says what it cost, for the
# benchmarks: wall seconds, the command's own CPU (user + system of it and
# every descendant it waited for), its peak resident memory, the CPU the
# PostgreSQL cluster spent meanwhile, and the CPU that anything else on the
# machine spent meanwhile (so a noisy run shows as noisy).
#
# Usage: measure.py [--postmaster PID] [--out FILE] -- COMMAND [ARG...]
# Prints (or, with --out, appends to FILE) one line:
#   wall=S client_cpu=S rss_mb=MB server_cpu=S foreign_cpu=S status=N
# and exits with the command's status. Linux /proc only.
import os
import resource
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid):
    """utime+stime of pid, and cutime+cstime of its reaped children, in s."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0, None
    # fields[0] is the state; utime is field 14 of the whole line
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime) / TICK, (cutime + cstime) / TICK, int(fields[1])


def server_cpu(postmaster):
    """CPU of the cluster so far: the postmaster, its live children, and
    the children it has reaped (backends that ended)."""
    if not postmaster:
        return 0.0
    own, reaped, _ = proc_cpu(postmaster)
    total = own + reaped
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) != postmaster:
            cpu, _, ppid = proc_cpu(int(name))
            if ppid == postmaster:
                total += cpu
    return total


def children(postmaster):
    n = 0
    for name in os.listdir("/proc"):
        if name.isdigit() and proc_cpu(int(name))[2] == postmaster:
            n += 1
    return n


def machine_busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return (sum(v[:8]) - idle) / TICK


def main():
    args = sys.argv[1:]
    postmaster, out = None, None
    while args and args[0] != "--":
        if args[0] == "--postmaster":
            postmaster = int(args[1])
            args = args[2:]
        elif args[0] == "--out":
            out = args[1]
            args = args[2:]
        else:
            sys.exit(f"measure.py: unknown option {args[0]}")
    if not args or len(args) < 2:
        sys.exit("usage: measure.py [--postmaster PID] [--out FILE] -- COMMAND [ARG...]")
    cmd = args[1:]
    before = children(postmaster) if postmaster else 0
    s0, m0, t0 = server_cpu(postmaster), machine_busy(), time.monotonic()
    status = subprocess.call(cmd)
    wall = time.monotonic() - t0
    # the backends of the command's connections end just after it: let
    # the postmaster reap them, so that their CPU is counted
    deadline = time.monotonic() + 2.0
    while postmaster and children(postmaster) > before and time.monotonic() < deadline:
        time.sleep(0.02)
    s1, m1 = server_cpu(postmaster), machine_busy()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    client = ru.ru_utime + ru.ru_stime
    server = s1 - s0
    foreign = max(0.0, (m1 - m0) - client - server)
    line = (f"wall={wall:.2f} client_cpu={client:.2f} rss_mb={ru.ru_maxrss / 1024:.0f} "
            f"server_cpu={server:.2f} foreign_cpu={foreign:.2f} status={status}")
    if out:
        with open(out, "a") as f:
            f.write(line + "\n")
    else:
        print(line)
    sys.exit(status)


if __name__ == "__main__":
    main()
