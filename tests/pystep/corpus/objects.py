# SPDX-License-Identifier: GPL-2.0-only
class Node:
    def __init__(self, value):
        self.value = value
        self.next = None
        self.children = []


a = Node(1)
b = Node(2)
a.next = b
b.next = a
a.children.append(b)
shared = [1, 2]
pair = [shared, shared]
people = {"ann": Node("ann"), "bob": Node("bob")}
people["ann"].children.append(people["bob"])
by_age = {30: ["ann"], 25: ["bob"]}
table = [{"name": "x", "tags": ("a", "b")}, {"name": "y", "tags": ()}]
loop = []
loop.append(loop)
del b
print(len(people))
