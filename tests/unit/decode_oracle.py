#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The syscall decoder against strace, on the same calls of one process:
runs decode_oracle under strace, takes strace's lines between its two
getppid() markers and compares them, in order, with the lines the program
formatted itself (tests/unit/decode_oracle.c).  No masking: both read the
same memory.  Exit 77 (skipped) when strace is missing or cannot trace.

usage: decode_oracle.py PATH/TO/decode_oracle
"""
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def main():
    exe = sys.argv[1]
    strace = shutil.which("strace")
    if not strace:
        print("SKIP: strace is not installed")
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        ours_path = os.path.join(tmp, "ours.txt")
        st_path = os.path.join(tmp, "strace.txt")
        p = subprocess.run([strace, "-o", st_path, exe, ours_path],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if p.returncode != 0 or not os.path.exists(st_path):
            if "ptrace" in p.stderr or "Operation not permitted" in p.stderr:
                print("SKIP: strace cannot trace here: " + p.stderr.strip())
                return SKIP
            print("decode_oracle failed: %d %s" % (p.returncode, p.stderr))
            return 1
        theirs = open(st_path).read().splitlines()
        ours = open(ours_path).read().splitlines()
    marks = [i for i, l in enumerate(theirs) if l.startswith("getppid()")]
    if len(marks) < 2:
        print("no getppid() markers in strace's output")
        return 1
    theirs = theirs[marks[0] + 1:marks[-1]]
    bad = 0
    for i in range(max(len(ours), len(theirs))):
        a = ours[i] if i < len(ours) else "<missing>"
        b = theirs[i] if i < len(theirs) else "<missing>"
        if a != b:
            bad += 1
            print("line %d differs:\n  strace:   %s\n  runtrace: %s" % (i + 1, b, a))
    print("%d of %d lines identical to strace's" % (len(theirs) - bad, len(theirs)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
