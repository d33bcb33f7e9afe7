# SPDX-License-Identifier: GPL-2.0-only
"""A Python process that runs a Python child; each calls work() with its
own arguments and writes its pid and thread ident to the account
(argv[1], one JSON object a line: the parent's first)."""
import json
import os
import subprocess
import sys
import threading


def work(tag, n):
    return "%s-%d" % (tag, n)


def say(**kw):
    with open(sys.argv[1], "a") as f:
        f.write(json.dumps(kw) + "\n")


if sys.argv[2:] == ["child"]:
    say(pid=os.getpid(), ident=threading.get_ident())
    work("child", 2)
else:
    say(pid=os.getpid(), ident=threading.get_ident())
    work("parent", 1)
    subprocess.run([sys.executable, __file__, sys.argv[1], "child"], check=True)
    work("parent", 3)
