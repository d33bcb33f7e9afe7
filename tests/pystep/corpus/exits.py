# SPDX-License-Identifier: GPL-2.0-only
import sys


def finish(code):
    print("bye")
    sys.exit(code)


x = 1
finish(3)
x = 2
