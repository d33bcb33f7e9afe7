# SPDX-License-Identifier: GPL-2.0-only
"""Times its own calls: python MODE N -> prints ns per iteration (median of
5 batches of N).  Each iteration is one call, made directly by the timing
loop (no lambda in between: a Python-level wrapper would be a second
Python call, taxed by the RESUME probe like any other).
MODE: py (a Python function, hooked as __main__.hooked), builtin
(os.getpid: posix.getpid), audit (sys.audit of 'bench.event'), native
(libc getppid through ctypes: its first instruction is single-stepped by a
uprobe), native-str (libc getenv(b'...') through ctypes: its first
instruction, push, is emulated; hooked with a str signature it takes the
sleepable program), patched (the py function wrapped by a monkey-patching
framework's start/end callbacks); unhooked code: heavy (a call-heavy loop
of a one-line function), json (json.loads of a 200-item document), http
(a small HTTP exchange with a local server)."""
import ctypes
import http.client
import http.server
import json
import os
import socketserver
import statistics
import sys
import threading
import time


def hooked(a, b):
    return a + b


def unhooked(x):
    return x


def patch(fn):
    """What a monkey-patching framework does: a wrapper calling callbacks
    that log start/end with thread ids and arguments."""
    log = []

    def start(name, args, kwargs):
        log.append(("start", name, threading.get_ident(), threading.get_native_id(),
                    repr(args), repr(kwargs), time.time()))

    def end(name, ret):
        log.append(("end", name, threading.get_ident(), threading.get_native_id(),
                    repr(ret), time.time()))
        if len(log) > 1000:
            del log[:]

    def wrapper(*args, **kwargs):
        start(fn.__qualname__, args, kwargs)
        try:
            r = fn(*args, **kwargs)
        except BaseException as e:
            log.append(("error", repr(e)))
            raise
        end(fn.__qualname__, r)
        return r
    return wrapper


def serve():
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"hello " * 100
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass
    srv = socketserver.TCPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv.server_address[1]


def loops():
    """MODE -> a function running N iterations."""
    libc = ctypes.CDLL(None)
    getppid, getenv = libc.getppid, libc.getenv
    getpid, audit = os.getpid, sys.audit
    doc = json.dumps({"items": [{"id": i, "name": "item%d" % i, "tags": ["a", "b"],
                                 "price": i * 1.5} for i in range(200)]})
    loads = json.loads
    patched = patch(hooked)

    def py(n):
        for _ in range(n):
            hooked(1, 2)

    def builtin(n):
        for _ in range(n):
            getpid()

    def audit_(n):
        for _ in range(n):
            audit("bench.event", 1)

    def native(n):
        for _ in range(n):
            getppid()

    def native_str(n):
        for _ in range(n):
            getenv(b"RUNTRACE_BENCH_UNSET")

    def patched_(n):
        for _ in range(n):
            patched(1, 2)

    def heavy(n):
        for _ in range(n):
            unhooked(1)

    def json_(n):
        for _ in range(n):
            loads(doc)

    def http_(n):
        port = serve()
        for _ in range(n):
            c = http.client.HTTPConnection("127.0.0.1", port)
            c.request("GET", "/")
            c.getresponse().read()
            c.close()

    return {"py": py, "builtin": builtin, "audit": audit_, "native": native,
            "native-str": native_str, "patched": patched_, "heavy": heavy, "json": json_,
            "http": http_}


def main():
    mode, n = sys.argv[1], int(sys.argv[2])
    fn = loops()[mode]
    runs = []
    for _ in range(5):
        t = time.perf_counter_ns()
        fn(n)
        runs.append((time.perf_counter_ns() - t) / n)
    print("%.1f" % statistics.median(runs))


main()
