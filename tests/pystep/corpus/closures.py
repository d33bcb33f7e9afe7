# SPDX-License-Identifier: GPL-2.0-only
def make_counter():
    count = 0

    def increment(step=1):
        nonlocal count
        count += step
        return count
    return increment


def twice(f):
    def wrapper(x):
        return f(f(x))
    return wrapper


@twice
def add3(x):
    return x + 3


counter = make_counter()
counter()
counter(5)
result = add3(1)
print(result)
