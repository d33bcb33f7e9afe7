# SPDX-License-Identifier: GPL-2.0-only
total = 0
for i in range(5):
    if i % 2 == 0:
        continue
    total += i
n = 10
while n > 1:
    n = n // 2 if n % 2 == 0 else 3 * n + 1
    if n == 4:
        break
grid = []
for r in range(2):
    row = []
    for c in range(3):
        row.append(r * c)
    grid.append(row)
print(total, n, grid)
