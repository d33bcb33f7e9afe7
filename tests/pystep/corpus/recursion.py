# SPDX-License-Identifier: GPL-2.0-only
def factorial(n):
    if n <= 1:
        return 1
    return n * factorial(n - 1)


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def build(n):
    if n == 0:
        return []
    rest = build(n - 1)
    rest.append(n)
    return rest


print(factorial(5), fib(5))
xs = build(3)
