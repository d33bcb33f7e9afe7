# SPDX-License-Identifier: GPL-2.0-only
"""A Python process for runtrace profile's prompt tests: it loops over
alpha (on CPU, ~10 ms), beta (asleep, 10 ms) and gamma (on CPU, ~5 ms)
for SECONDS (argv[1], default 60), then exits.  With argv[2] "nap" it
only sleeps in napper() (a thread blocked before profiling starts)."""
import sys
import time


def alpha():
    x = 0
    for i in range(100000):
        x += i
    return x


def beta():
    time.sleep(0.01)


def gamma():
    x = 0
    for i in range(50000):
        x += i
    return x


def napper(seconds):
    time.sleep(seconds)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    if len(sys.argv) > 2 and sys.argv[2] == "nap":
        napper(seconds)
        return
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        alpha()
        beta()
        gamma()


if __name__ == "__main__":
    main()
