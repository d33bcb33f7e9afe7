# SPDX-License-Identifier: GPL-2.0-only
"""A Python program with a known state, for the CPython reader's tests.

It builds a stack (a method, a generator, a closure, a callback from C in
json, two waiting threads), writes what it is, by its own account, as JSON
to argv[1], then stops itself with SIGSTOP on the same line, so that a
reader from outside sees exactly the state written down.  argv[2] (optional)
is "wait" to sleep on that line (for a live reader) instead of stopping.
"""
import json
import os
import signal
import sys
import threading
import time

OUT = sys.argv[1]
MODE = sys.argv[2] if len(sys.argv) > 2 else "stop"


class Point:
    """Instances keep attributes in 3.11's inline values (managed dict)."""

    def __init__(self, x, y):
        self.x = x
        self.y = y


class Bag:
    """Attributes added after a deletion: a real dict, not inline values."""

    def __init__(self):
        self.a = 1
        self.b = [2]
        del self.a
        self.c = "three"
        for i in range(40):
            setattr(self, "attr%d" % i, i)


def frames_of(frame):
    out = []
    while frame is not None:
        code = frame.f_code
        out.append({
            "name": code.co_name,
            "qualname": code.co_qualname,
            "file": code.co_filename,
            "line": frame.f_lineno,
            "firstlineno": code.co_firstlineno,
            "module": frame.f_globals.get("__name__"),
            "locals": sorted(frame.f_code.co_varnames + frame.f_code.co_cellvars
                             + frame.f_code.co_freevars),
            "bound": sorted(k for k in frame.f_locals),
        })
        frame = frame.f_back
    return out


def write_state(top):
    """The program's own account: threads, stacks, the leaf's locals."""
    current = sys._current_frames()
    threads = []
    for t in threading.enumerate():
        frame = top if t is threading.current_thread() else current[t.ident]
        threads.append({"ident": t.ident, "native_id": t.native_id, "name": t.name,
                        "frames": frames_of(frame)})
    loc = top.f_locals
    state = {
        "pid": os.getpid(),
        "executable": sys.executable,
        "hexversion": sys.hexversion,
        "version": "%d.%d.%d" % sys.version_info[:3],
        "threads": threads,
        "leaf_locals": {k: repr(v) for k, v in loc.items()},
        "ids": {k: id(v) for k, v in loc.items()},
        "point_attrs": {k: repr(v) for k, v in vars(loc["p"]).items()},
        "bag_attrs": {k: repr(v) for k, v in vars(loc["bag"]).items()},
        "types": {k: type(v).__name__ for k, v in loc.items()},
    }
    with open(OUT + ".tmp", "w") as f:
        json.dump(state, f, indent=1)
    os.rename(OUT + ".tmp", OUT)


def leaf(a, b=2, *args, **kwargs):
    s_ascii = "hello"
    s_latin = "caf\xe9"
    s_bmp = "snow \u2603 \u2028"
    s_astral = "emoji \U0001F600"
    s_quote = "it's"
    s_ctrl = "tab\tnl\n\x01\\"
    raw = b"\x00bytes'\"\xff"
    big = 2 ** 100
    neg = -12345678901234567890
    small = -5
    zero = 0
    maxi = 2 ** 63 - 1
    mini = -2 ** 63
    yes = True
    nothing = None
    f1 = 0.1
    f2 = 1e16
    f3 = float("inf")
    f4 = -0.0
    f5 = 123456.789
    f6 = 1e-05
    c1 = complex(1, -2)
    c2 = 3j
    t1 = (1,)
    t0 = ()
    lst = [1, 2.5, "three", None, True, (4,), {"k": "v"}]
    d = {"a": 1, 2: "b", (1, 2): [3], None: frozenset()}
    st = {1, 2, 3}
    st.discard(2)
    fs = frozenset({"x"})
    es = set()
    p = Point(1, "two")
    bag = Bag()
    cyc = []
    cyc.append(cyc)
    exc = ZeroDivisionError("division by zero")
    exc2 = KeyError("k", 1)
    fn = leaf
    cls = Point
    mod = json
    nested = [[[[1]]]]
    write_state(sys._getframe()); os.kill(os.getpid(), signal.SIGSTOP) if MODE == "stop" else time.sleep(3600)  # noqa: E501,E702 -- one line: the account and the stop
    return a


def make_closure(tag):
    captured = "cell " + tag

    def inner(arg):
        nonlocal captured
        captured = captured + "!"
        return leaf(arg, 3, 4, 5, key=captured)

    return inner


def gen(n):
    inner = make_closure("x")
    for i in range(n):
        yield inner(i)


class Runner:
    def run(self):
        # json calls object_hook from C: a C entry frame in the chain
        return json.loads('{"k": 1}', object_hook=lambda o: next(gen(1)))


def worker(ev, label):
    mine = [label] * 3
    ev.wait()
    return mine


def main():
    ev = threading.Event()
    threads = [threading.Thread(target=worker, args=(ev, "w%d" % i), name="worker%d" % i,
                                daemon=True) for i in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.05)
    Runner().run()


main()
