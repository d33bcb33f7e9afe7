# SPDX-License-Identifier: GPL-2.0-only
"""Times its own calls: python MODE N -> prints ns per call (median of 5).
MODE: py (a Python function), builtin (posix.getpid), audit (sys.audit of
'bench.event'), native (libc getpid through os.getpid... ctypes), heavy (a
call-heavy loop, unhooked), json (JSON parsing), http (a small HTTP
exchange with a local server), patched (the py function wrapped by a
monkey-patching framework's start/end callbacks)."""
import ctypes, http.client, http.server, json, os, socketserver, statistics, sys, threading, time


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


def main():
    mode, n = sys.argv[1], int(sys.argv[2])
    libc = ctypes.CDLL(None)
    doc = json.dumps({"items": [{"id": i, "name": "item%d" % i, "tags": ["a", "b"],
                                 "price": i * 1.5} for i in range(200)]})
    srv = None
    if mode == "http":
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
        port = srv.server_address[1]
    fn = {"py": lambda: hooked(1, 2), "builtin": os.getpid,
          "audit": lambda: sys.audit("bench.event", 1), "native": libc.getppid,
          "heavy": lambda: unhooked(1), "patched": (lambda f: lambda: f(1, 2))(patch(hooked)),
          "json": lambda: json.loads(doc)}.get(mode)
    if mode == "http":
        def fn():
            c = http.client.HTTPConnection("127.0.0.1", port)
            c.request("GET", "/")
            c.getresponse().read()
            c.close()
    runs = []
    for _ in range(5):
        t = time.perf_counter_ns()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter_ns() - t) / n)
    print("%.1f" % statistics.median(runs))


main()
