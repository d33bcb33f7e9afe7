#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The oracle of `runtrace pystep`: a small sys.settrace tracer, written for
the tests, that produces the same step record from inside the interpreter
(the way Willow's Python tracer, and Python Tutor's, work).

    reference.py [--pretty] < request.json > record.json

The request is {"source": str, "input": str, "steps": int}, all optional.
The record's rules are those runtrace documents (README, `runtrace pystep`):

- events call/line/return/exception of the program's own code (file
  FILENAME), the program's first event (its module's call) left out; a
  step limit counts every other event; at the event after the last allowed
  one the record ends with {"error": {"cause": "Program too long, maximum
  steps allowed: N"}};
- stack: the program's frames from the newest down to the first frame that
  is not the program's, oldest first: {"line": 0-based, "name": co_name,
  "members": [...]}; members of a function frame in the order of its
  variables (co_varnames, then cells, then free variables), of a module or
  class body in the order of its namespace; names starting with '_' left
  out; a return step's newest frame carries "#return#" (unless it is the
  only frame);
- values: str, bool, None, complex as str(); int and float as numbers
  below 2**53 in magnitude, else str(); a class as str() ("<class
  '__main__.Point'>"); list, tuple, set, dict (and their subclasses) and
  instances of the program's classes (a class whose __module__ is
  '__main__') as heap objects [id]; anything else as str(type(obj));
- heap ids: assigned in the order objects are met (frames oldest first,
  members in order, a key before its value), an object keeps the id it had
  in the previous step;
- print: what the program wrote to stdout since the previous step; input()
  reads the request's input line by line (EOFError at its end);
- an uncaught exception ends the record with {"error": {"exception":
  {"type": name, "traceback": text}}}, the traceback as the interpreter
  prints it; SystemExit ends the program without one.

Run it under PYTHONHASHSEED=0, as runtrace runs programs, for the same set
order.
"""
import builtins
import io
import json
import linecache
import os
import sys
import traceback

FILENAME = "/tmp/main.py"
DEFAULT_STEPS = 10000
STRING_LIKE = (bool, complex, str, type(None))
NUMBER_LIKE = (int, float)
EVENTS = ("call", "line", "return", "exception")


class Inspector:
    """Snapshots of the stack and heap, with ids kept from step to step."""

    def __init__(self):
        self.count = 0
        self.ids = {}
        self.prev = {}

    def snapshot(self, frame, event, arg):
        self.prev, self.ids = self.ids, {}
        frames = []
        while frame is not None and frame.f_code.co_filename == FILENAME:
            frames.append(frame)
            frame = frame.f_back
        frames.reverse()
        heap = {}
        stack = []
        for f in frames:
            scope = {"line": f.f_lineno - 1, "name": f.f_code.co_name}
            scope["members"] = [{"key": k, "value": self.value(heap, v)}
                                for k, v in members_of(f) if not k.startswith("_")]
            stack.append(scope)
        if event == "return" and len(stack) > 1:
            stack[-1]["members"].append({"key": "#return#", "value": self.value(heap, arg)})
        return {"event": event, "stack": stack, "heap": heap}

    def ordered_id(self, obj):
        key = id(obj)
        if key in self.ids:
            return self.ids[key]
        if key in self.prev:
            oid = self.ids[key] = self.prev[key]
            return oid
        oid = self.ids[key] = self.count
        self.count += 1
        return oid

    def value(self, heap, obj):
        if isinstance(obj, STRING_LIKE):
            return str(obj)
        if isinstance(obj, NUMBER_LIKE):
            return obj if abs(obj) < 2 ** 53 else str(obj)
        if isinstance(obj, type):
            return str(obj)
        if isinstance(obj, (tuple, list, set)):
            category = "set" if isinstance(obj, set) else "list"
            items = list(enumerate(obj))
        elif isinstance(obj, dict):
            category = "map"
            items = list(obj.items())
        elif type(obj).__module__ == "__main__":
            category = "map"
            items = [(k, v) for k, v in getattr(obj, "__dict__", {}).items()
                     if not k.startswith("_")]
        else:
            return str(type(obj))
        oid = self.ordered_id(obj)
        if str(oid) in heap:
            return [oid]
        node = heap[str(oid)] = {"id": oid, "category": category, "type": type(obj).__name__}
        node["members"] = [{"key": self.value(heap, k), "value": self.value(heap, v)}
                           for k, v in items]
        return [oid]


def members_of(frame):
    """A frame's variables in runtrace's order (see the module's doc)."""
    loc = frame.f_locals
    code = frame.f_code
    if not code.co_flags & 0x1:  # CO_OPTIMIZED: a module or class body
        return list(loc.items())
    names = list(code.co_varnames)
    names += [n for n in code.co_cellvars if n not in names]
    names += list(code.co_freevars)
    return [(n, loc[n]) for n in names if n in loc]


def emit(record, pretty):
    text = json.dumps(record, indent=4 if pretty else None,
                      separators=None if pretty else (",", ":"))
    os.write(1, (text + "\n").encode())
    os._exit(0)  # the program's atexit handlers and threads are not ours to run


def trace_request(request, pretty=False):
    source = request.get("source") or ""
    stdin = request.get("input") or ""
    max_steps = request.get("steps", DEFAULT_STEPS)
    steps = []
    out = io.StringIO()
    inspector = Inspector()
    state = {"first": True, "count": 0}

    def take_print():
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    def trace(frame, event, arg):
        if frame.f_code.co_filename != FILENAME:
            return None
        if event not in EVENTS:
            return trace
        if state["first"]:
            state["first"] = False
            return trace
        if state["count"] >= max_steps:
            # the event after the last allowed one: the program stops here
            sys.settrace(None)
            steps.append({"error": {"cause": "Program too long, maximum steps allowed: "
                                             f"{max_steps}"}, "print": take_print()})
            emit({"steps": steps}, pretty)
        state["count"] += 1
        snap = inspector.snapshot(frame, event, arg)
        steps.append({"snapshot": snap, "print": take_print()})
        return trace

    try:
        code = compile(source, FILENAME, "exec")
    except SyntaxError as e:
        text = "".join(traceback.format_exception_only(type(e), e))
        steps.append({"error": {"exception": {"type": type(e).__name__, "traceback": text}},
                      "print": ""})
        return {"steps": steps}
    lines = source.splitlines(True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"  # as linecache reads a file
    linecache.cache[FILENAME] = (len(source), None, lines, FILENAME)
    glob = {"__name__": "__main__", "__builtins__": builtins, "__file__": FILENAME}
    saved = sys.stdin, sys.stdout
    sys.stdin, sys.stdout = io.StringIO(stdin), out
    try:
        sys.settrace(trace)
        exec(code, glob)
    except SystemExit:
        sys.settrace(None)
    except BaseException as e:  # noqa: B902 (the program's own exceptions)
        sys.settrace(None)
        tb = e.__traceback__.tb_next  # leave out this function's exec()
        text = "".join(traceback.format_exception(type(e), e, tb))
        steps.append({"error": {"exception": {"type": type(e).__name__, "traceback": text}},
                      "print": take_print()})
    finally:
        sys.settrace(None)
        sys.stdin, sys.stdout = saved
    return {"steps": steps}


def main():
    pretty = "--pretty" in sys.argv[1:]
    request = json.loads(sys.stdin.read() or "{}")
    emit(trace_request(request, pretty), pretty)


if __name__ == "__main__":
    main()
