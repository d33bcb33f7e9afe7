# SPDX-License-Identifier: GPL-2.0-only
"""A generator function, a coroutine function and a plain function, each
called once; stdout says what they gave."""


def gen(n):
    yield n
    yield n + 1


async def coro(x):
    return x


def plain(x):
    return x * 2


print(list(gen(3)))
c = coro(5)
try:
    c.send(None)
except StopIteration as e:
    print("coro", e.value)
print(plain(4))
