#!/usr/bin/env python3
"""Run a command and write "WALL_S CPU_S MAXRSS_KB" to a file: wall time by a
monotonic clock, CPU = user + system of the command and every descendant it
waited for (wait4's rusage), to the microsecond (GNU time rounds to 10 ms).

    timeit.py OUTFILE CMD [ARGS...]      exits with the command's status
"""
import os
import sys
import time


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    with open(out, "w") as f:
        f.write("%.6f %.6f %d\n" % (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss))
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()
