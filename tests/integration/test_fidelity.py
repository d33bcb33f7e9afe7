# SPDX-License-Identifier: GPL-2.0-only
"""Fidelity of runtrace's syscall lines to strace's, strace as the oracle:
the golden workload (tests/workloads/fidelity.c, the decoded structs,
flags, messages and signals in a fixed order) must print every line as
strace 6.x does, addresses, pids, times and strace's column padding aside,
through `run --call-trace` and through `trace`; and real commands a new user
tries must stay near it.  The comparison is tools/strace-compare's."""
import importlib.machinery
import importlib.util
import os
import shutil

import pytest

from conftest import RT, ROOT, requires_bpf, workload

needs_strace = pytest.mark.skipif(shutil.which("strace") is None, reason="strace not installed")


def compare_tool():
    path = str(ROOT / "tools" / "strace-compare")
    loader = importlib.machinery.SourceFileLoader("strace_compare", path)
    spec = importlib.util.spec_from_loader("strace_compare", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def has_trace():
    import subprocess
    p = subprocess.run([RT, "trace", "-h"], capture_output=True, text=True)
    return p.returncode == 0


def show(res):
    """The differences, for an assertion message."""
    lines = ["%s: %s of %s strace lines identical" % (res["name"], res["identical"],
                                                     res["strace_lines"])]
    for kind in ("differ", "missing", "extra"):
        for name, n in res[kind].items():
            lines.append("  %s %s %d" % (kind, name, n))
    for name, ex in res["examples"].items():
        lines.append("  %s\n    strace:   %s\n    runtrace: %s" % (name, ex["strace"],
                                                              ex["runtrace"]))
    return "\n".join(lines)


def unread_argument(ex):
    """runtrace's line is strace's with one decoded argument (a struct,
    string or array) shown as its address instead: the BPF program's read
    of that user memory failed (README, trace's limits)."""
    r, s = ex["runtrace"], ex["strace"]
    i = r.find("0xADDR")
    while i >= 0:
        pre, post = r[:i], r[i + len("0xADDR"):]
        if (s.startswith(pre) and s.endswith(post) and len(s) > len(pre) + len(post)
                and s[len(pre)] in '{["'):
            return True
        i = r.find("0xADDR", i + 1)
    return False


def test_unread_argument_is_recognised():
    """The tolerance below takes that case and nothing else."""
    s = ('connect(9, {sa_family=AF_INET, sin_port=htons(EPHEMERAL), '
         'sin_addr=inet_addr("127.0.0.1")}, 16) = 0')
    assert unread_argument({"strace": s, "runtrace": "connect(9, 0xADDR, 16) = 0"})
    assert not unread_argument({"strace": s, "runtrace": "connect(9, 0xADDR, 16) = -1"})
    assert not unread_argument({"strace": s, "runtrace": s.replace("AF_INET", "AF_INET6")})
    assert not unread_argument({"strace": "close(3) = 0", "runtrace": "close(0xADDR) = 0"})


@requires_bpf
@needs_strace
@pytest.mark.kernel_matrix
@pytest.mark.parametrize("driver", ["run", "trace"])
def test_golden_workload_identical_to_strace(driver, tmp_path):
    if driver == "trace" and not has_trace():
        pytest.skip("this runtrace has no trace subcommand")
    tool = compare_tool()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    res = tool.one(RT, driver, "fidelity", [workload("fidelity"), str(scratch)], False, 20)
    # the workload makes about a hundred syscalls, ten signal and exit lines
    assert res["strace_lines"] >= 90, show(res)
    # Every line identical, but for at most one whose user memory the BPF
    # program could not read (a pointer shown as its address, as strace
    # does for memory it cannot read): seen once in a Debian 6.1 guest
    # (connect's sockaddr, the page the kernel had just read) and once on
    # the host (an openat path) in thousands of lines; not reproducible.
    unread = [k for k, n in res["differ"].items() if n == 1 and unread_argument(res["examples"][k])]
    assert len(unread) <= 1, show(res)
    assert res["identical"] == res["strace_lines"] - len(unread), show(res)
    assert res["events"]["identical"] == res["events"]["strace"] >= 8, show(res)
    assert not res["extra"], show(res)


@requires_bpf
@needs_strace
@pytest.mark.slow
@pytest.mark.parametrize("name", ["python-import", "ls-la", "sort"])
def test_real_commands_near_strace(name):
    """The README's commands, deterministic ones: at least 99% of strace's
    lines identical (what is left is run-to-run noise such as a futex a
    thread race adds)."""
    tool = compare_tool()
    cmd = dict(tool.SUITE)[name]
    if not os.path.exists(cmd[0]):
        pytest.skip(f"{cmd[0]} not installed")
    res = tool.one(RT, "run", name, list(cmd), False, 20)
    assert res["strace_lines"] > 100, show(res)
    assert res["identical"] >= 0.99 * res["strace_lines"], show(res)
