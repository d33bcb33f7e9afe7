# SPDX-License-Identifier: GPL-2.0-only
"""The accuracy workload of `runtrace profile`: functions whose inclusive
wall-clock times the program measures itself with time.perf_counter, and
writes down as JSON (argv[1]) when it is done.

  cpu_loop            pure Python arithmetic (on CPU)
  disk_io             4 KiB writes, each followed by fsync (mostly blocked)
  network_request     requests to a local server (another process) that
                      answers after 20 ms (blocked in recv)
  sleeper             time.sleep
  tiny                a function called a million times, a few us each
  many_small_calls    the loop that calls tiny
  thread_work         run by two threads at once (CPU and sleep; the GIL)
  recurse             recursive, with work at the bottom (counts once)
  Worker.crunch       a method
  run_all             calls all of the above (inclusive time)

For each function: "inner" is the time measured inside it, "outer" the
time measured around its calls (one call's overhead more); its true
inclusive time lies between the two (for all but tiny they are the same
to a few microseconds).  Times are summed over calls and threads.

Usage: python3 profile_target.py TRUTH.json [SCALE]   (SCALE 1.0: ~14 s)
"""
import json
import os
import socket
import sys
import tempfile
import threading
import time

pc = time.perf_counter
TRUTH = {}
LOCK = threading.Lock()
SCALE = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0


def account(name, inner, outer=None):
    with LOCK:
        t = TRUTH.setdefault(name, {"inner": 0.0, "outer": 0.0, "calls": 0})
        t["inner"] += inner
        t["outer"] += inner if outer is None else outer
        t["calls"] += 1


def measured(fn):
    """Account each call of fn (the wrapper is a frame of its own: the
    profiler sees fn's frame, a call's overhead shorter)."""
    name = fn.__qualname__

    def wrapper(*args):
        t0 = pc()
        try:
            return fn(*args)
        finally:
            account(name, pc() - t0)
    return wrapper


def timed(fn, *args):
    """One call of fn, accounted (for the top call of a recursion)."""
    t0 = pc()
    try:
        return fn(*args)
    finally:
        account(fn.__qualname__, pc() - t0)


@measured
def cpu_loop(seconds):
    end = pc() + seconds
    x = 0
    while pc() < end:
        for i in range(2000):
            x += i * i
    return x


@measured
def disk_io(seconds, path):
    end = pc() + seconds
    block = b"x" * 4096
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        while pc() < end:
            os.write(fd, block)
            os.fsync(fd)
    finally:
        os.close(fd)


def serve(sock, delay):
    """The server process: answer each request after @delay seconds."""
    while True:
        conn, _ = sock.accept()
        with conn:
            while True:
                data = conn.recv(64)
                if not data:
                    break
                time.sleep(delay)
                conn.sendall(b"pong")


@measured
def network_request(port, count):
    with socket.create_connection(("127.0.0.1", port)) as s:
        for _ in range(count):
            s.sendall(b"ping")
            s.recv(64)


@measured
def sleeper(count, each):
    for _ in range(count):
        time.sleep(each)


def tiny(acc):
    t0 = pc()
    x = 0
    for i in range(150):
        x += i
    acc[0] += pc() - t0
    return x


@measured
def many_small_calls(n):
    inner = [0.0]
    outer = 0.0
    for _ in range(n):
        t0 = pc()
        tiny(inner)
        outer += pc() - t0
    with LOCK:
        TRUTH["tiny"] = {"inner": inner[0], "outer": outer, "calls": n}


@measured
def thread_work(cpu, nap):
    cpu_loop(cpu)
    time.sleep(nap)
    cpu_loop(cpu)


def threads(cpu, nap):
    ts = [threading.Thread(target=thread_work, args=(cpu, nap)) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def recurse(depth, seconds):
    if depth == 0:
        return cpu_loop(seconds)
    return recurse(depth - 1, seconds)


class Worker:
    @measured
    def crunch(self, seconds):
        return cpu_loop(seconds)


@measured
def run_all(port, path):
    cpu_loop(2.0 * SCALE)
    disk_io(1.5 * SCALE, path)
    network_request(port, int(80 * SCALE))
    sleeper(int(30 * SCALE), 0.05)
    many_small_calls(int(1000000 * SCALE))
    threads(0.5 * SCALE, 0.3 * SCALE)
    timed(recurse, 50, 1.0 * SCALE)
    Worker().crunch(0.5 * SCALE)


def main():
    out = sys.argv[1]
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    pid = os.fork()
    if pid == 0:
        try:
            serve(srv, 0.02)
        finally:
            os._exit(0)
    port = srv.getsockname()[1]
    srv.close()
    fd, path = tempfile.mkstemp(prefix="profile-target-", dir="/var/tmp")
    os.close(fd)
    try:
        run_all(port, path)
    finally:
        os.unlink(path)
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    # cpu_loop's calls include those of thread_work, recurse and crunch
    with open(out, "w") as f:
        json.dump({"pid": os.getpid(), "truth": TRUTH}, f, indent=1)


if __name__ == "__main__":
    main()
