# SPDX-License-Identifier: GPL-2.0-only
class TooBig(Exception):
    def __init__(self, value):
        super().__init__(f"{value} is too big")
        self.value = value


def check(x):
    if x > 10:
        raise TooBig(x)
    return x


def safe_div(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        return None
    finally:
        print("divided", a, b)


results = []
for v in [3, 30]:
    try:
        results.append(check(v))
    except TooBig as e:
        results.append(e.value)
q = safe_div(1, 0)
try:
    int("x")
except ValueError as err:
    msg = str(err)
data = {"k": 1}
value = data["missing"]
