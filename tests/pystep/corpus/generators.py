# SPDX-License-Identifier: GPL-2.0-only
def countdown(n):
    while n > 0:
        yield n
        n -= 1
    return "done"


def squares(xs):
    for x in xs:
        yield x * x


for v in countdown(3):
    print(v)
gen = squares([1, 2, 3])
first = next(gen)
rest = list(gen)
evens = sum(x for x in range(6) if x % 2 == 0)
