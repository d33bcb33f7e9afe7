# SPDX-License-Identifier: GPL-2.0-only
"""Calls hooked functions with values of many kinds, changes or frees each
value right after the call, and exits at once: runtrace must show what the
values were at the call, from what it copied then.  The account (argv[1])
holds, per call, repr() of the arguments and of the return value as the
function saw them, one JSON object a line."""
import json
import os
import sys

account = open(sys.argv[1], "w")


class Point:
    def __init__(self, x):
        self.x = x


def take(*args, **kwargs):
    return args[0] if args else kwargs


def kwonly(a, *, key, flag=False):
    return [a, key]


def closure(x):
    def inner():
        return x
    return inner()


def call(fn, *args, **kwargs):
    account.write(json.dumps({"call": fn.__name__, "args": [repr(a) for a in args],
                              "kwargs": {k: repr(v) for k, v in kwargs.items()}}) + "\n")
    ret = fn(*args, **kwargs)
    account.write(json.dumps({"ret": repr(ret)}) + "\n")
    return ret


lst = [1, [2, [3]], "three"]
d = {"k": [1, 2], 2: (3.5, None)}
call(take, lst, d, (1,), (), {1, 2, 3}, frozenset({4}))
lst.clear()
d.clear()
call(take, 1, -7, 2 ** 70, 0, True, None, 1.5, -0.0)
call(take, "ascii", "\u00e9-\u00fc", "\u65e5\u672c", "\U0001f600x", "", "a'b\"c\n")
call(take, b"bytes\x00\xff", 3 + 4j, Point(1), Point, take, "x" * 64)
call(take, key="v", n={"a": 1}, m=[None])
pt = Point("one")
pt.y = (2, 3)
call(take, vars(pt))  # an object's __dict__: a split table
pt.x = "changed"
# the kwargs dict is freed: new dicts take its memory
junk = [{"junk": i} for i in range(1000)]
call(kwonly, 1, key="k", flag=True)
call(closure, ("captured", 2))
account.flush()
os._exit(0)
