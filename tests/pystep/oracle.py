#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""runtrace pystep against its oracle, the reference sys.settrace tracer
(reference.py), on the corpus of teaching programs (corpus/*.py, with
corpus/NAME.in as the input when present).

    oracle.py [--runtrace PATH] [PROGRAM.py ...]

prints one line per program: the steps of each record and whether they are
equal step for step (events, lines, stack names, values, print, errors,
heap graphs up to a renaming of heap ids that is the same for the whole
record), and the first difference when they are not.  The integration test
(tests/integration/test_pystep.py) uses the same functions.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "reference.py"
CORPUS = HERE / "corpus"
PYTHON = "/usr/bin/python3.11"


def request_of(path, steps=None):
    path = Path(path)
    req = {"source": path.read_text()}
    inp = path.with_suffix(".in")
    if inp.exists():
        req["input"] = inp.read_text()
    if steps is not None:
        req["steps"] = steps
    return req


def run_reference(req, timeout=60):
    env = dict(os.environ, PYTHONHASHSEED="0")
    p = subprocess.run([PYTHON, str(REFERENCE)], input=json.dumps(req), capture_output=True,
                       text=True, timeout=timeout, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"reference failed: {p.stderr}")
    return json.loads(p.stdout)


def run_runtrace(rt, req, *args, timeout=120):
    p = subprocess.run([rt, "pystep", *args], input=json.dumps(req), capture_output=True,
                       text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"runtrace pystep exited {p.returncode}: {p.stderr}")
    return json.loads(p.stdout)


class Renamer:
    """A bijection of heap ids, built in the order ids are met."""

    def __init__(self):
        self.fwd = {}

    def __call__(self, i):
        if i not in self.fwd:
            self.fwd[i] = len(self.fwd)
        return self.fwd[i]


def _norm_value(v, ren):
    if isinstance(v, list):
        return [ren(v[0])]
    return v


def normalize(record):
    """The record with heap ids renamed in order of appearance (one renaming
    for the whole record: ids must be stable across steps for both)."""
    ren = Renamer()
    out = []
    for step in record["steps"]:
        if "snapshot" not in step:
            out.append(step)
            continue
        snap = step["snapshot"]
        stack = []
        for fr in snap["stack"]:
            stack.append({"line": fr["line"], "name": fr["name"],
                          "members": [{"key": m["key"], "value": _norm_value(m["value"], ren)}
                                      for m in fr["members"]]})
        heap = {}
        for obj in snap["heap"].values():
            nid = ren(obj["id"])
            heap[nid] = {"id": nid, "category": obj["category"], "type": obj["type"],
                         "members": [{"key": _norm_value(m["key"], ren),
                                      "value": _norm_value(m["value"], ren)}
                                     for m in obj["members"]]}
        out.append({"snapshot": {"event": snap["event"], "stack": stack,
                                 "heap": dict(sorted(heap.items()))},
                    "print": step["print"]})
    return out


def first_difference(a, b):
    """None if the records are equal (after normalize), else a description."""
    na, nb = normalize(a), normalize(b)
    for i, (x, y) in enumerate(zip(na, nb)):
        if x != y:
            return f"step {i}: runtrace {json.dumps(x)[:1500]}\n    reference {json.dumps(y)[:1500]}"
    if len(na) != len(nb):
        i = min(len(na), len(nb))
        extra = na[i] if len(na) > i else nb[i]
        return (f"runtrace has {len(na)} steps, the reference {len(nb)}; first extra: "
                f"{json.dumps(extra)[:800]}")
    return None


def main(argv):
    rt = os.environ.get("RUNTRACE", str(HERE.parents[1] / "build" / "runtrace"))
    if argv[:1] == ["--runtrace"]:
        rt, argv = argv[1], argv[2:]
    programs = [Path(a) for a in argv] or sorted(CORPUS.glob("*.py"))
    bad = 0
    print(f"{'program':<22} {'runtrace':>9} {'reference':>9}  equal")
    for prog in programs:
        req = request_of(prog)
        ours, ref = run_runtrace(rt, req), run_reference(req)
        diff = first_difference(ours, ref)
        print(f"{prog.name:<22} {len(ours['steps']):>9} {len(ref['steps']):>9}  "
              f"{'yes' if diff is None else 'NO'}")
        if diff:
            bad += 1
            print("   ", diff)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
