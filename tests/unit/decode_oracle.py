#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The syscall decoder against strace, on the same calls of one process:
runs decode_oracle under strace, takes strace's lines between its two
getppid() markers and compares them, in order, with the lines the program
formatted itself (tests/unit/decode_oracle.c).  No masking: both read the
same memory.  Exit 77 (skipped) when strace is missing or cannot trace.

usage: decode_oracle.py PATH/TO/decode_oracle
"""
import difflib
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
ALLOCATOR = {"mmap", "munmap", "madvise", "brk", "mprotect"}


def main():
    exe = sys.argv[1]
    strace = shutil.which("strace")
    if not strace:
        print("SKIP: strace is not installed")
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        ours_path = os.path.join(tmp, "ours.txt")
        st_path = os.path.join(tmp, "strace.txt")
        # LeakSanitizer cannot run under ptrace: an ASan build runs without it
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:" + os.environ.get("ASAN_OPTIONS", ""))
        p = subprocess.run([strace, "-o", st_path, exe, ours_path],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env)
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
    # lines of the program's own allocator (a sanitizer's, under ASan) may
    # come between the calls: strace-only mmap/munmap/madvise/brk lines are
    # left out; every line the program formatted must match one of strace's
    name = lambda l: l.split("(", 1)[0]
    sm = difflib.SequenceMatcher(None, [name(l) for l in ours], [name(l) for l in theirs],
                                 autojunk=False)
    bad = same = 0
    for op, a0, a1, b0, b1 in sm.get_opcodes():
        if op == "equal":
            for a, b in zip(ours[a0:a1], theirs[b0:b1]):
                if a == b:
                    same += 1
                else:
                    bad += 1
                    print("differs:\n  strace:   %s\n  runtrace: %s" % (b, a))
            continue
        for b in theirs[b0:b1]:
            if name(b) not in ALLOCATOR:
                bad += 1
                print("strace only: %s" % b)
        for a in ours[a0:a1]:
            bad += 1
            print("runtrace only: %s" % a)
    print("%d of %d lines identical to strace's" % (same, len(ours)))
    return 1 if bad or not same else 0


if __name__ == "__main__":
    sys.exit(main())
