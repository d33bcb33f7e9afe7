# SPDX-License-Identifier: GPL-2.0-only
"""A process that imports its module, says its pid, waits for a go file,
then calls calls_mod.compute five times (for -p attach after import)."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calls_mod  # noqa: E402

go = sys.argv[1]
print(os.getpid(), flush=True)
while not os.path.exists(go):
    time.sleep(0.01)
for i in range(5):
    calls_mod.compute(i, i + 1)
