# bubble sort: a bit over 1000 steps
data = [9, 4, 7, 1, 8, 2, 6, 3, 5, 0, 11, 10]
n = len(data)
for i in range(n):
    swapped = False
    for j in range(n - i - 1):
        if data[j] > data[j + 1]:
            data[j], data[j + 1] = data[j + 1], data[j]
            swapped = True
    if not swapped:
        break
print(data)
