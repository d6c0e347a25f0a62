#!/usr/bin/env python3
"""timed.py CMDS LOGPREFIX - runs the commands in the file CMDS (one per
line, shell-quoted) side by side, each with its output in LOGPREFIX.N.log,
waits for all of them and prints one line: "ELAPSED_S CPU_S RC", the wall
time from the first start to the last exit, the CPU seconds (user + system)
of all of them and their children, and the first non-zero exit status (0
when all succeeded; 127 when a command could not start)."""
import resource
import shlex
import subprocess
import sys
import time


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        cmds = [shlex.split(line) for line in f if line.strip()]
    t0 = time.monotonic()
    procs, logs, rc = [], [], 0
    for n, argv in enumerate(cmds):
        log = open(f"{sys.argv[2]}.{n}.log", "wb")
        logs.append(log)
        try:
            procs.append(subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                          stdout=log, stderr=subprocess.STDOUT))
        except OSError as e:
            log.write(f"timed.py: cannot start {argv[0]}: {e}\n".encode())
            rc = rc or 127
    for p in procs:
        status = p.wait()
        rc = rc or status
    elapsed = time.monotonic() - t0
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    for log in logs:
        log.close()
    print(f"{elapsed:.3f} {use.ru_utime + use.ru_stime:.2f} {rc}")


if __name__ == "__main__":
    main()
