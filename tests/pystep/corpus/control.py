# SPDX-License-Identifier: GPL-2.0-only
def first_even(xs):
    for x in xs:
        if x % 2 == 0:
            break
    else:
        return None
    return x


def cleanup(n):
    try:
        if n > 1:
            return "big"
        return "small"
    finally:
        n = -n


class Resource:
    def __enter__(self):
        self.open = True
        return self

    def __exit__(self, *exc):
        self.open = False
        return False


def describe(point):
    match point:
        case (0, 0):
            return "origin"
        case (x, 0):
            return f"x={x}"
        case _:
            return "other"


with Resource() as r:
    inside = r.open
evens = [first_even([1, 3, 4]), first_even([1])]
sizes = [cleanup(1), cleanup(5)]
where = [describe((0, 0)), describe((2, 0)), describe((1, 1))]
count = 0
while count < 3:
    count += 1
else:
    count = -count
try:
    assert count > 0, "negative"
except AssertionError as e:
    why = str(e)
flag = True if count else False
