# SPDX-License-Identifier: GPL-2.0-only
"""Exceptions, each kind twice (the second time runtrace knows the type
already): a Python function raising, and a builtin (os.stat) failing.  The
account (argv[1]) holds repr() of each exception as caught."""
import json
import os
import sys

account = open(sys.argv[1], "w")


def check(n):
    if n < 0:
        raise ValueError("negative: %d" % n)
    return n


for n in (-1, 2, -3):
    try:
        check(n)
    except ValueError as e:
        account.write(json.dumps({"call": "check", "raised": repr(e)}) + "\n")
for p in ("/nonexistent-a", "/nonexistent-b"):
    try:
        os.stat(p)
    except OSError as e:
        account.write(json.dumps({"call": "stat", "raised": repr(e)}) + "\n")
account.flush()
os._exit(0)
