# SPDX-License-Identifier: GPL-2.0-only
print("a", "b", sep="-", end="")
print()
for i in range(3):
    print(i, end=" ")
print("done")
import sys
sys.stdout.write("raw\n")
print("err", file=sys.stderr)
