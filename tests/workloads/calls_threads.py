# SPDX-License-Identifier: GPL-2.0-only
"""Threads calling one function with their own arguments; each writes its
thread ids and arguments to the account file (argv[1])."""
import json
import sys
import threading

lock = threading.Lock()
account = open(sys.argv[1], "w")


def work(n, label):
    return "%s-%d" % (label, n * n)


def worker(k):
    with lock:
        account.write(json.dumps({"ident": threading.get_ident(),
                                  "native": threading.get_native_id(), "k": k}) + "\n")
        account.flush()
    for i in range(3):
        work(k * 10 + i, "t%d" % k)


threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
for th in threads:
    th.start()
for th in threads:
    th.join()
