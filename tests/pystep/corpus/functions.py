# SPDX-License-Identifier: GPL-2.0-only
def total(*nums, scale=1, **named):
    result = sum(nums) * scale
    for key in sorted(named):
        result += named[key]
    return result


def append_to(item, target=[]):
    target.append(item)
    return target


def repeat(times):
    def decorator(fn):
        def wrapper(*args):
            return [fn(*args) for _ in range(times)]
        return wrapper
    return decorator


@repeat(2)
def greet(name):
    return "hi " + name


counter = 0


def bump():
    global counter
    counter += 1


a = total(1, 2, 3, scale=2, bonus=10)
b = append_to(1)
c = append_to(2)
d = greet("ada")
bump()
bump()
e = (lambda x, y=2: x ** y)(3)
