# SPDX-License-Identifier: GPL-2.0-only
class Animal:
    kind = "animal"

    def __init__(self, name, legs):
        self.name = name
        self.legs = legs
        self._secret = 42

    def describe(self):
        return f"{self.name} has {self.legs} legs"


class Dog(Animal):
    def __init__(self, name):
        super().__init__(name, 4)
        self.tricks = []

    def learn(self, trick):
        self.tricks.append(trick)
        return len(self.tricks)


class Point:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


rex = Dog("Rex")
rex.learn("sit")
count = rex.learn("roll")
text = rex.describe()
p = Point(1, 2)
animals = [rex, Animal("Tweety", 2)]
print(text, count, Animal.kind)
