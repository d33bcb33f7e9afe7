# SPDX-License-Identifier: GPL-2.0-only
"""The monkey-patching framework's demo, re-created: a class whose method
divides two numbers (called once with a zero divisor), a plain function,
subprocess.Popen and os.system of a child, open of files.  It writes its
own account (thread ids, the calls it made and their arguments) as JSON
lines to the file named by its first argument; stdout gets known lines;
exit status 3."""
import json
import os
import subprocess
import sys
import threading

account = open(sys.argv[1], "w")


def say(**kw):
    account.write(json.dumps(kw) + "\n")
    account.flush()


class Test1:
    def func_test_user_code(self, a, b):
        return a / b


def plain_function(x, y):
    return x * y


say(ident=threading.get_ident(), native=threading.get_native_id())
t = Test1()
say(call="Test1.func_test_user_code", args=[repr(t), 6, 3])
print("6/3 =", t.func_test_user_code(6, 3))
say(call="Test1.func_test_user_code", args=[repr(t), 1, 0])
try:
    t.func_test_user_code(1, 0)
except ZeroDivisionError as e:
    print("caught", repr(e))
say(call="plain_function", args=[3, 4])
print("3*4 =", plain_function(3, 4))
path = os.path.join(os.path.dirname(sys.argv[1]), "demo-out.txt")
say(call="io.open", args=[path, "w"])
with open(path, "w") as f:
    f.write("hello\n")
say(call="subprocess.Popen.__init__", args=[["/bin/echo", "child says hi"]])
subprocess.Popen(["/bin/echo", "child says hi"]).wait()
say(call="posix.system", args=["echo system says hi"])
os.system("echo system says hi")
sys.stdout.flush()
sys.exit(3)
