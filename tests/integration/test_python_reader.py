# SPDX-License-Identifier: GPL-2.0-only
"""The CPython reader (src/python/) on live processes of Debian's python3.11
and pyenv 3.11 and 3.12 builds (those present), through tests/workloads/pyread (process_vm_readv, nothing
injected).  Oracle: tools/py-capture.d/target.py writes down its own threads
(threading ids), stacks (its frames' names, files, lines, modules), locals
(repr and id) and then sleeps on the line it described.
"""
import glob
import json
import os
import subprocess
import time

import pytest

from conftest import ROOT, workload

TARGET = ROOT / "tools" / "py-capture.d" / "target.py"

PYTHONS = ["/usr/bin/python3.11"] + [
    p for minor in ("11", "12") for p in sorted(glob.glob(os.path.expanduser(
        f"~/.pyenv/versions/3.{minor}.*/bin/python3.{minor}")))[-1:]]

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root (reads another process's memory)")


@pytest.fixture(params=PYTHONS)
def target(request, tmp_path):
    """A live target that has written its account; yields (proc, oracle)."""
    python = request.param
    if not os.access(python, os.X_OK):
        pytest.skip(f"{python} is not installed")
    out = tmp_path / "oracle.json"
    proc = subprocess.Popen([python, str(TARGET), str(out), "wait"], cwd=tmp_path)
    try:
        deadline = time.time() + 20
        while not out.exists():
            assert proc.poll() is None, "the target exited"
            assert time.time() < deadline, "the target did not write its account"
            time.sleep(0.02)
        time.sleep(0.1)  # from the account to its sleep: the same line
        yield proc, json.loads(out.read_text())
    finally:
        proc.kill()
        proc.wait()


def pyread(pid, *args):
    p = subprocess.run([workload("pyread"), str(pid), *args], capture_output=True, text=True,
                       timeout=60)
    return p


def test_stacks_threads_locals(target):
    proc, oracle = target
    p = pyread(proc.pid)
    assert p.returncode == 0, p.stderr
    snap = json.loads(p.stdout)
    ours = {t["thread_id"]: t for t in snap["threads"]}
    assert sorted(ours) == sorted(t["ident"] for t in oracle["threads"])
    for ot in oracle["threads"]:
        t = ours[ot["ident"]]
        assert t["native_thread_id"] == ot["native_id"]
        assert "error" not in t
        got = [(f["name"], f["qualname"], f["file"], f["line"], f["module"]) for f in t["frames"]]
        want = [(f["name"], f["qualname"], f["file"], f["line"], f["module"])
                for f in ot["frames"]]
        assert got == want
        for f, of in zip(t["frames"], ot["frames"]):
            if f["name"] != "<module>":
                assert sorted(loc["name"] for loc in f["locals"]) == of["bound"]
    main = ours[next(t["ident"] for t in oracle["threads"]
                     if t["native_id"] == oracle["pid"])]
    leaf = main["frames"][0]
    assert {loc["name"]: loc["repr"] for loc in leaf["locals"]} == oracle["leaf_locals"]
    assert {loc["name"]: loc["value"]["id"] for loc in leaf["locals"]} == oracle["ids"]
    # the target goes on, untouched
    assert proc.poll() is None


def test_no_locals_is_cheap(target):
    """Stacks alone: the reads a stack walk needs (for the BPF walker's budget)."""
    proc, oracle = target
    p = pyread(proc.pid, "--no-locals")
    assert p.returncode == 0, p.stderr
    snap = json.loads(p.stdout)
    frames = sum(len(t["frames"]) for t in snap["threads"])
    assert frames == sum(len(t["frames"]) for t in oracle["threads"])
    # first walk: code objects are read once each, then cached
    assert snap["reads"] < 60 * frames


def test_not_python():
    proc = subprocess.Popen([workload("sigterm_ignorer"), "0"], stdout=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    try:
        time.sleep(0.1)
        p = pyread(proc.pid)
        assert p.returncode == 3
        assert "not a CPython process" in p.stderr
    finally:
        proc.kill()
        proc.wait()


def test_gone_pid():
    p = pyread(2 ** 22 + 12345)
    assert p.returncode == 1
    assert "cannot read process" in p.stderr
