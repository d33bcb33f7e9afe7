# SPDX-License-Identifier: GPL-2.0-only
"""runtrace calls against what the workloads say they did: the framework's
demo re-created (tests/workloads/calls_demo.py), threads, -p attach after
import, a native hook with a signature, an --exec listener, bad input."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import RT, ROOT, requires_bpf, run_rt, workload

PY = "/usr/bin/python3.11"
WL = ROOT / "tests" / "workloads"

pytestmark = [requires_bpf,
              pytest.mark.skipif(not os.path.exists(PY), reason="needs Debian's python3.11")]


def events(path):
    return [json.loads(l) for l in Path(path).read_text().splitlines() if l.strip()]


def account(path):
    return [json.loads(l) for l in Path(path).read_text().splitlines()]


def check_nesting(evs):
    """Every start has its finish or error, in order, per thread."""
    stacks = {}
    for e in evs:
        st = stacks.setdefault(e["tid"], [])
        if e["event"] == "start":
            st.append(e["hook"])
        elif e["event"] in ("finish", "error"):
            assert st and st[-1] == e["hook"], (e, st)
            st.pop()
    assert all(not s for s in stacks.values()), stacks


DEMO_HOOKS = ["-f", "io.open", "-f", "subprocess.Popen.__init__", "-f", "posix.system",
              "-f", "Test1.func_test_user_code", "-f", "__main__.plain_function"]


@pytest.mark.kernel_matrix
def test_demo(tmp_path):
    acct, out = tmp_path / "acct", tmp_path / "calls.jsonl"
    plain = subprocess.run([PY, str(WL / "calls_demo.py"), str(tmp_path / "acct0")],
                           capture_output=True, text=True)
    p = run_rt("calls", *DEMO_HOOKS, "--json", "-o", out, "--", PY, WL / "calls_demo.py", acct)
    # the program's output and status, untouched
    assert p.returncode == plain.returncode == 3, p.stderr
    assert p.stdout == plain.stdout
    evs = events(out)
    check_nesting(evs)
    a = account(acct)
    ident, native = a[0]["ident"], a[0]["native"]
    for e in evs:
        assert e["thread_ident"] == ident and e["tid"] == native, e
    calls = [x for x in a[1:]]
    mine = [e for e in evs if e["hook"] != "io.open" or
            (e["event"] == "start" and e["args"][0].endswith("demo-out.txt'"))]
    starts = [e for e in mine if e["event"] == "start"]
    names = {"plain_function": "__main__.plain_function"}
    assert [names.get(c["call"], c["call"]) for c in calls] == [s["hook"] for s in starts]
    for c, s in zip(calls, starts):
        want = [x if isinstance(x, str) and x.startswith("<") else repr(x) for x in c["args"]]
        if c["call"] == "subprocess.Popen.__init__":
            assert s["args"][1] == repr(c["args"][0]), s
        else:
            assert s["args"][:len(want)] == want, (s, want)
    divs = [e for e in evs if e["hook"] == "Test1.func_test_user_code" and e["event"] != "start"]
    assert [d["event"] for d in divs] == ["finish", "error"]
    assert divs[0]["return"] == "2.0"
    assert divs[1]["exception"]["type"] == "ZeroDivisionError"
    assert divs[1]["exception"]["repr"] == "ZeroDivisionError('division by zero')"
    fin = [e for e in evs if e["hook"] == "posix.system" and e["event"] == "finish"]
    assert fin and fin[0]["return"] == "0"
    assert all(e["duration_us"] >= 0 for e in evs if e["event"] != "start")


def test_demo_text_lines(tmp_path):
    out = tmp_path / "calls.txt"
    p = run_rt("calls", "-f", "Test1.func_test_user_code", "-o", out, "--",
               PY, WL / "calls_demo.py", tmp_path / "acct")
    assert p.returncode == 3
    lines = out.read_text().splitlines()
    assert lines[0].startswith("start  Test1.func_test_user_code tid ")
    assert ", 6, 3) kwargs {}" in lines[0]
    assert lines[1].startswith("finish Test1.func_test_user_code") and "return 2.0" in lines[1]
    assert "raised ZeroDivisionError('division by zero')" in lines[3]
    assert lines[3].endswith(" us")


def test_threads(tmp_path):
    acct, out = tmp_path / "acct", tmp_path / "calls.jsonl"
    p = run_rt("calls", "-f", "__main__.work", "--json", "-o", out, "--",
               PY, WL / "calls_threads.py", acct)
    assert p.returncode == 0, p.stderr
    evs = events(out)
    check_nesting(evs)
    a = account(acct)
    assert len(a) == 4
    for t in a:
        mine = [e for e in evs if e["tid"] == t["native"]]
        assert all(e["thread_ident"] == t["ident"] for e in mine)
        starts = [e["args"] for e in mine if e["event"] == "start"]
        k = t["k"]
        assert starts == [[repr(k * 10 + i), repr("t%d" % k)] for i in range(3)]
        fins = [e["return"] for e in mine if e["event"] == "finish"]
        assert fins == [repr("t%d-%d" % (k, (k * 10 + i) ** 2)) for i in range(3)]


def test_values_as_they_were_at_the_call(tmp_path):
    """Values of many kinds, each changed or freed right after its call, the
    process gone at once: every argument and return value as the function
    saw it (the workload's own repr())."""
    acct, out = tmp_path / "acct", tmp_path / "calls.jsonl"
    p = run_rt("calls", "-f", "__main__.take", "-f", "__main__.kwonly", "-f", "__main__.closure",
               "--json", "-o", out, "--", PY, WL / "calls_values.py", acct)
    assert p.returncode == 0, p.stderr
    evs = events(out)
    check_nesting(evs)
    a = account(acct)
    calls, rets = a[0::2], a[1::2]
    starts = [e for e in evs if e["event"] == "start"]
    fins = [e for e in evs if e["event"] == "finish"]
    assert [s["hook"] for s in starts] == ["__main__." + c["call"] for c in calls]
    for c, s in zip(calls, starts):
        assert s["args"] == c["args"], s
        assert s["kwargs"] == c["kwargs"], s
    assert [f["return"] for f in fins] == [r["ret"] for r in rets]
    assert "unreadable" not in out.read_text()


def test_errors_each_time(tmp_path):
    """A Python function and a builtin raising, twice each: the exception's
    type and repr every time, as the workload caught it."""
    acct, out = tmp_path / "acct", tmp_path / "calls.jsonl"
    p = run_rt("calls", "-f", "__main__.check", "-f", "posix.stat", "--json", "-o", out, "--",
               PY, WL / "calls_errors.py", acct)
    assert p.returncode == 0, p.stderr
    evs = events(out)
    check_nesting(evs)
    a = account(acct)
    mine = [e for e in evs if e["event"] == "error" and e["hook"] == "__main__.check"]
    # the stat errors of the workload's own paths (the interpreter's
    # start-up stats fail too): the event after each of their starts
    stats = [e for e in evs if e["hook"] == "posix.stat"]
    stat_errs = [stats[i + 1] for i, e in enumerate(stats[:-1])
                 if e["event"] == "start" and "nonexistent" in e["args"][0]]
    assert all(e["event"] == "error" for e in stat_errs)
    got = [("check", e["exception"]["repr"]) for e in mine] + \
          [("stat", e["exception"]["repr"]) for e in stat_errs]
    assert got == [(x["call"], x["raised"]) for x in a]
    assert [e["exception"]["type"] for e in mine + stat_errs] == \
        ["ValueError"] * 2 + ["FileNotFoundError"] * 2


def test_generators_and_coroutines_are_said_not_traced(tmp_path):
    out = tmp_path / "calls.jsonl"
    plain = subprocess.run([PY, str(WL / "calls_gen.py")], capture_output=True, text=True)
    p = run_rt("calls", "-f", "__main__.gen", "-f", "__main__.coro", "-f", "__main__.plain",
               "--json", "-o", out, "--", PY, WL / "calls_gen.py")
    assert p.returncode == 0 and p.stdout == plain.stdout == "[3, 4]\ncoro 5\n8\n"
    for h in ("__main__.gen", "__main__.coro"):
        assert f"{h} is a generator or coroutine function: not traced" in p.stderr
    assert [(e["event"], e["hook"]) for e in events(out)] == [("start", "__main__.plain"),
                                                             ("finish", "__main__.plain")]


@pytest.mark.parametrize("follow", [True, False])
def test_follow_children(tmp_path, follow):
    acct, out = tmp_path / "acct", tmp_path / "calls.jsonl"
    p = run_rt("calls", "-f", "__main__.work", "--json", "-o", out,
               *(["--follow"] if follow else []), "--", PY, WL / "calls_follow.py", acct)
    assert p.returncode == 0, p.stderr
    parent, child = account(acct)
    evs = events(out)
    check_nesting(evs)
    want = [(parent, ["'parent'", "1"], "'parent-1'"), (child, ["'child'", "2"], "'child-2'"),
            (parent, ["'parent'", "3"], "'parent-3'")]
    if not follow:
        want = [w for w in want if w[0] is parent]
    starts = [e for e in evs if e["event"] == "start"]
    fins = [e for e in evs if e["event"] == "finish"]
    assert [(s["pid"], s["thread_ident"], s["args"]) for s in starts] == \
        [(w[0]["pid"], w[0]["ident"], w[1]) for w in want]
    assert [(f["pid"], f["return"]) for f in fins] == [(w[0]["pid"], w[2]) for w in want]


def wait_attached(rt):
    """runtrace says how Python functions are hooked once its probes are
    attached; what it said until then."""
    said = ""
    while "Python functions:" not in said:
        line = rt.stderr.readline()
        if not line:
            break
        said += line
    return said


def test_attach_after_import(tmp_path):
    go, out = tmp_path / "go", tmp_path / "calls.jsonl"
    target = subprocess.Popen([PY, str(WL / "calls_attach.py"), str(go)], stdout=subprocess.PIPE,
                              text=True)
    pid = int(target.stdout.readline())
    rt = subprocess.Popen([RT, "calls", "-p", str(pid), "-f", "calls_mod.compute", "--json",
                           "-o", str(out)], stderr=subprocess.PIPE, text=True)
    said = wait_attached(rt)
    go.write_text("")
    assert target.wait(timeout=20) == 0
    assert rt.wait(timeout=20) == 0, said + rt.stderr.read()
    evs = events(out)
    check_nesting(evs)
    starts = [e["args"] for e in evs if e["event"] == "start"]
    assert starts == [[repr(i), repr(i + 1)] for i in range(5)]
    assert [e["return"] for e in evs if e["event"] == "finish"] == [repr(2 * i + 1) for i in range(5)]


def test_native_with_signature(tmp_path):
    out = tmp_path / "calls.jsonl"
    exe = workload("calls_native")
    p = run_rt("calls", "-f", f"{exe}:parse_config(str, int)", "--error-if", "ret<0",
               "--json", "-o", out, "--", exe)
    assert p.returncode == 0, p.stderr
    said = [l.split() for l in p.stdout.splitlines()]
    evs = events(out)
    check_nesting(evs)
    starts = [e for e in evs if e["event"] == "start"]
    ends = [e for e in evs if e["event"] != "start"]
    assert [s["args"] for s in starts] == [[f'"{w[1]}"', w[2]] for w in said]
    assert [e["return"] for e in ends] == [w[3] for w in said]
    assert [e["event"] for e in ends] == ["error" if int(w[3]) < 0 else "finish" for w in said]


def test_exec_listener_gets_every_event(tmp_path):
    out, got = tmp_path / "calls.jsonl", tmp_path / "listener.jsonl"
    listener = f"{sys.executable} -c 'import sys; open(\"{got}\", \"w\").write(sys.stdin.read())'"
    p = run_rt("calls", *DEMO_HOOKS, "--json", "-o", out, "--exec", listener, "--",
               PY, WL / "calls_demo.py", tmp_path / "acct")
    assert p.returncode == 3, p.stderr
    assert got.read_text() == out.read_text()
    assert len(events(got)) > 10


def test_missing_function_is_an_error():
    p = run_rt("calls", "-f", "os.no_such_function", "--", PY, "-c", "pass")
    assert p.returncode == 2
    assert "os.no_such_function" in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_function_never_run_is_a_warning(tmp_path):
    p = run_rt("calls", "-f", "mymodule.nothing", "--", PY, "-c", "print('ok')")
    assert p.returncode == 0 and p.stdout == "ok\n"
    assert "mymodule.nothing matched no function that ran" in p.stderr


def test_pid_gone():
    proc = subprocess.Popen(["true"])
    proc.wait()
    p = run_rt("calls", "-p", proc.pid, "-f", "io.open")
    assert p.returncode == 2
    assert str(proc.pid) in p.stderr


def test_python_hook_on_a_non_python_target():
    p = run_rt("calls", "-f", "io.open", "--", "/bin/true")
    assert p.returncode == 2
    assert "not a Python interpreter" in p.stderr


def test_no_link_left_after_the_command(tmp_path):
    before = subprocess.run(["bpftool", "link", "list"], capture_output=True, text=True).stdout
    p = run_rt("calls", "-f", "io.open", "-o", tmp_path / "o", "--", PY, "-c", "pass")
    assert p.returncode == 0
    after = subprocess.run(["bpftool", "link", "list"], capture_output=True, text=True).stdout
    assert after.count("uprobe") <= before.count("uprobe")


@requires_bpf
def test_interrupt_kills_a_command_that_ignores_it(tmp_path):
    """Ctrl-C: the command gets SIGINT, then SIGKILL a second later if it is
    still there (this one ignores SIGINT); calls ends with its status."""
    rt = subprocess.Popen([RT, "calls", "-f", "__main__.f", "-o", str(tmp_path / "o"), "--", PY,
                           "-c", "import os, signal, time\n"
                           "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                           "def f(): pass\n"
                           "print(os.getpid(), flush=True)\ntime.sleep(60)"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    said = wait_attached(rt)
    pid = int(rt.stdout.readline())
    t0 = time.monotonic()
    rt.send_signal(signal.SIGINT)
    try:
        code = rt.wait(timeout=15)
    finally:
        if rt.poll() is None:
            rt.kill()
            os.kill(pid, signal.SIGKILL)
    assert code == 128 + signal.SIGKILL, said + rt.stderr.read()
    assert time.monotonic() - t0 < 5
    assert not Path(f"/proc/{pid}").exists()
