# SPDX-License-Identifier: GPL-2.0-only
"""A CPU-bound Python benchmark for runtrace profile's overhead
(tools/bench/profile): a fixed amount of pure-Python work (recursive fib
under a stack 12 frames deep) whose own duration it measures and prints
as JSON: "elapsed" (perf_counter) and "cpu" (process_time: the CPU time
the process ran, which includes the interrupts taken while it ran, where
the sampler's BPF program runs; on a busy machine it varies far less than
the elapsed time).

Usage: python3 profile_bench.py [--work N] [--gate FILE]
  --work N     repetitions of fib(22) (default 1500: a few seconds)
  --gate FILE  wait until FILE exists before the timed work
"""
import argparse
import json
import os
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def layer(depth, n):
    if depth == 0:
        return fib(n)
    return layer(depth - 1, n)


def work(reps):
    total = 0
    for _ in range(reps):
        total += layer(10, 22)
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", type=int, default=1500)
    ap.add_argument("--gate")
    a = ap.parse_args()
    if a.gate:
        while not os.path.exists(a.gate):
            time.sleep(0.01)
    t0, c0 = time.perf_counter(), time.process_time()
    work(a.work)
    print(json.dumps({"pid": os.getpid(), "elapsed": time.perf_counter() - t0,
                      "cpu": time.process_time() - c0}), flush=True)


if __name__ == "__main__":
    main()
