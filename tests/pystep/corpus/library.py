# SPDX-License-Identifier: GPL-2.0-only
from collections import OrderedDict, defaultdict, Counter, namedtuple, deque
from dataclasses import dataclass
import enum
import math


@dataclass
class Item:
    name: str
    price: float = 0.0


class Color(enum.Enum):
    RED = 1


class Registry(dict):
    pass


def make():
    class Local:
        def __init__(self):
            self.v = 1
    return Local()


Pair = namedtuple("Pair", "a b")
od = OrderedDict(b=1, a=2)
dd = defaultdict(list)
dd["x"].append(1)
cnt = Counter("aab")
pr = Pair(1, 2)
dq = deque([1, 2])
it = Item("pen", 1.5)
col = Color.RED
reg = Registry(k=[1])
loc = make()
root = math.sqrt(16)
