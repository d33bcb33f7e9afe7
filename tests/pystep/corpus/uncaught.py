# SPDX-License-Identifier: GPL-2.0-only
def parse(text):
    try:
        return int(text)
    except ValueError as e:
        raise RuntimeError(f"bad number {text!r}") from e


def total(items):
    return sum(parse(t) for t in items)


values = ["1", "2"]
print(total(values))
values.append("three")
print(total(values))
