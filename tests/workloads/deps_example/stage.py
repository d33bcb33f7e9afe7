from op import op

inputs = []
with open("input", "r") as lines:
   for line in lines:
      if not line.strip():
          continue
      inputs.append(int(line))

with open("output", "w") as output:
   for i in inputs:
      print(op(i, 2), file=output)
