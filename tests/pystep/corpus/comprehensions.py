# SPDX-License-Identifier: GPL-2.0-only
nums = [3, 1, 2]
doubled = [n * 2 for n in nums]
pairs = {n: n * n for n in nums}
unique = {n % 2 for n in nums}
nested = [[i * j for j in range(2)] for i in range(2)]
ordered = sorted(nums, key=lambda n: -n)
mapped = list(map(lambda n: n + 1, nums))
words = ["b", "a"]
joined = ",".join(w.upper() for w in words)
