# SPDX-License-Identifier: GPL-2.0-only
import threading

results = []


def work(n):
    results.append(n * n)


t = threading.Thread(target=work, args=(3,))
t.start()
t.join()
done = len(results)
