# SPDX-License-Identifier: GPL-2.0-only
class Countdown:
    def __init__(self, start):
        self.current = start

    def __iter__(self):
        return self

    def __next__(self):
        if self.current <= 0:
            raise StopIteration
        self.current -= 1
        return self.current + 1


def inner():
    yield 1
    yield 2
    return "inner done"


def outer():
    result = yield from inner()
    yield result


def echo():
    received = None
    while True:
        received = yield received


def one(): return 1
square = lambda x: x * x

seen = [n for n in Countdown(2)]
chained = list(outer())
e = echo()
next(e)
got = e.send("hi")
for item in outer():
    pass
values = one() + square(3)
