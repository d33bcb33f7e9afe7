# SPDX-License-Identifier: GPL-2.0-only
name = input("What is your name? ")
age = int(input("Age: "))
numbers = []
while True:
    line = input()
    if line == "end":
        break
    numbers.append(int(line))
print(f"{name} is {age}; sum {sum(numbers)}")
