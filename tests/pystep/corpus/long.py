# SPDX-License-Identifier: GPL-2.0-only
# a bit over 1000 steps: bubble sort, then a sieve
data = [9, 4, 7, 1, 8, 2, 6, 3, 5, 0, 11, 10, 15, 13, 14, 12]
n = len(data)
for i in range(n):
    swapped = False
    for j in range(n - i - 1):
        if data[j] > data[j + 1]:
            data[j], data[j + 1] = data[j + 1], data[j]
            swapped = True
    if not swapped:
        break
limit = 150
is_prime = [True] * limit
primes = []
for k in range(2, limit):
    if is_prime[k]:
        primes.append(k)
        for m in range(k * k, limit, k):
            is_prime[m] = False
print(data, primes)
