#!/usr/bin/env python3
"""Times two commands in alternation (A, B, A, B, ...) and prints the paired ratios B/A.

Usage: scripts/ab-time.py N 'COMMAND A' 'COMMAND B'

Alternating the two, pair by pair, cancels most of the drift of a busy machine; the median of
the paired ratios of wall time and of CPU time (the children's user + system time) is the
figure BENCHMARKS.md reports.
"""
import resource
import shlex
import statistics
import subprocess
import sys
import time


def timed(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(shlex.split(cmd), check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    n, a, b = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    wall, cpu = [], []
    for i in range(n):
        wa, ca = timed(a)
        wb, cb = timed(b)
        wall.append(wb / wa)
        cpu.append(cb / ca)
        print(f"pair {i + 1}: A {wa:.2f} s ({ca:.2f} s CPU), B {wb:.2f} s ({cb:.2f} s CPU)")
    print(f"median ratio B/A: wall {statistics.median(wall):.3f} (range {min(wall):.3f}-{max(wall):.3f}), "
          f"CPU {statistics.median(cpu):.3f} (range {min(cpu):.3f}-{max(cpu):.3f})")


if __name__ == "__main__":
    main()
