# SPDX-License-Identifier: GPL-2.0-only
"""divergence.txt: where a failed run's syscalls depart from the last passing run's.

The programs (tests/workloads/toggle) fail for a reason the test controls
and make the same syscalls in every run up to that point.  Oracles: the
program's own account of its failure (stderr.log: the path it could not
open, the port it could not connect to, with strerror's words), the server
in this test process (it accepted exactly two connections), procs.log (the
pid and program of each process) and syscalls.log (the syscall's place).
"""
import json
import os
import re
import socket
import threading
from datetime import datetime
from pathlib import Path


from conftest import artifacts_of, requires_bpf, run_rt, workload

pytestmark = requires_bpf


def summary(proc):
    d = artifacts_of(proc)
    assert d is not None, proc.stdout + proc.stderr
    return d, json.loads((d / "summary.json").read_text())


def run_of(js, index):
    r = js["runs"][index - 1]
    assert r["index"] == index
    return r


def exec_pids(procs_log, path):
    """Pids procs.log says exec'd @path."""
    return [int(m.group(1)) for m in re.finditer(r"exec +pid (\d+) (\S+)", procs_log)
            if os.path.realpath(m.group(2)) == os.path.realpath(path)]


def end_s(run):
    t = datetime.fromisoformat(run["start"].replace("Z", "+00:00")).timestamp()
    return t + run["duration_ms"] / 1e3


def index_in_log(rundir, pid, text):
    """1-based place among pid's syscalls in syscalls.log of the first line holding @text."""
    k = 0
    for line in (rundir / "syscalls.log").read_text().splitlines():
        m = re.match(r"^\S+ \[pid +(\d+)\] (.*)", line)
        if not m or int(m.group(1)) != pid or m.group(2).startswith("+++"):
            continue
        k += 1
        if text in m.group(2):
            return k
    return None


def test_missing_file_names_the_openat_and_its_enoent(tmp_path):
    state, prefix = tmp_path / "state", tmp_path / "data"
    # runs 1 and 4 find no file; 2, 3 and 5 do
    for i in (2, 3, 5):
        Path(f"{prefix}.{i}").write_text(f"data {i}\n")
    tog = workload("toggle")
    p = run_rt("-c", 5, "--call-trace", "--log-trace", "-o", tmp_path / "out", "--",
               tog, "read", state, prefix)
    assert p.returncode == 1, p.stderr
    d, js = summary(p)
    assert [r["index"] for r in js["runs"] if r["failed"]] == [1, 4]
    # run 1: nothing to compare with, and divergence.txt says so
    r1 = run_of(js, 1)
    assert r1["divergence"]["result"] == "no passing run"
    assert "divergence.txt" in r1["files"]
    assert "No run has passed yet" in (d / "run-0001" / "divergence.txt").read_text()
    # run 4: compared with run 3, the most recent passing run
    r4 = run_of(js, 4)
    dv = r4["divergence"]
    rd = d / "run-0004"
    # the program's own words: which path, and why
    err = (rd / "stderr.log").read_text()
    m = re.fullmatch(r"toggle: (\S+): (.+)\n", err)
    assert m, err
    path, why = m.group(1), m.group(2)
    assert path == f"{prefix}.4" and why == os.strerror(2)
    assert dv["result"] == "departs" and dv["passing_run"] == 3
    assert os.path.realpath(dv["process"]) == os.path.realpath(tog)
    assert dv["pid"] == dv["tid"] and [dv["pid"]] == exec_pids((rd / "procs.log").read_text(), tog)
    assert dv["syscall"] == (f'openat(AT_FDCWD, "{path}", O_RDONLY) = -1 ENOENT ({why})')
    assert re.fullmatch(rf'openat\(AT_FDCWD, "{prefix}\.3", O_RDONLY\) = \d+', dv["passing"]), dv
    assert dv["syscall_index"] == index_in_log(rd, dv["pid"], f'"{path}"')
    text = (rd / "divergence.txt").read_text()
    assert text.startswith("runtrace divergence: run 4 (failed: exited with 1) against run 3, "
                           "the most recent passing run")
    only = text.split("== syscalls only in run 4", 1)[1]
    assert dv["syscall"] in only


class RefusingServer:
    """Accepts @n connections on 127.0.0.1, answers each, closes its socket
    after the last (before answering it): later connections are refused."""

    def __init__(self, n):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self.serve, args=(n,), daemon=True)
        self.thread.start()

    def serve(self, n):
        for i in range(n):
            c, _ = self.sock.accept()
            c.recv(16)
            self.accepted += 1
            if i == n - 1:
                self.sock.close()
            c.sendall(b"ok\n")
            c.close()


def test_refused_connection_only_in_the_failed_run(tmp_path):
    srv = RefusingServer(2)
    p = run_rt("-c", 3, "--call-trace", "--log-trace", "-o", tmp_path / "out", "--",
               workload("toggle"), "connect", srv.port)
    srv.thread.join(5)
    assert srv.accepted == 2
    assert p.returncode == 1, p.stderr
    d, js = summary(p)
    assert [r["index"] for r in js["runs"] if r["failed"]] == [3]
    rd = d / "run-0003"
    assert (rd / "stderr.log").read_text() == \
        f"toggle: connect to port {srv.port}: {os.strerror(111)}\n"
    dv = run_of(js, 3)["divergence"]
    want = (f'connect(3, {{sa_family=AF_INET, sin_port=htons({srv.port}), '
            f'sin_addr=inet_addr("127.0.0.1")}}, 16) = -1 ECONNREFUSED ({os.strerror(111)})')
    assert dv["result"] == "departs" and dv["passing_run"] == 2
    assert dv["syscall"] == want
    assert dv["passing"] == want.split(" = ")[0] + " = 0"
    assert dv["syscall_index"] == index_in_log(rd, dv["pid"], "connect(")
    text = (rd / "divergence.txt").read_text()
    only = text.split("== syscalls only in run 3", 1)[1].split("==", 1)[0]
    assert want in only


def test_child_that_fails_is_named(tmp_path):
    state, prefix = tmp_path / "state", tmp_path / "data"
    for i in (1, 2, 4):
        Path(f"{prefix}.{i}").write_text(f"data {i}\n")
    p = run_rt("-c", 4, "--call-trace", "--log-trace", "-o", tmp_path / "out", "--",
               workload("toggle"), "spawn", state, prefix)
    assert p.returncode == 1, p.stderr
    d, js = summary(p)
    assert [r["index"] for r in js["runs"] if r["failed"]] == [3]
    rd = d / "run-0003"
    # cat's own words
    assert (rd / "stderr.log").read_text() == f"/bin/cat: {prefix}.3: {os.strerror(2)}\n"
    procs = (rd / "procs.log").read_text()
    cat_pids = exec_pids(procs, "/bin/cat")
    assert len(cat_pids) == 1
    dv = run_of(js, 3)["divergence"]
    assert dv["result"] == "departs" and dv["passing_run"] == 2
    assert dv["process"] == "/bin/cat" and dv["pid"] == cat_pids[0]
    assert dv["syscall"] == f'openat(AT_FDCWD, "{prefix}.3", O_RDONLY) = -1 ENOENT ({os.strerror(2)})'
    assert dv["syscall_index"] == index_in_log(rd, cat_pids[0], f'"{prefix}.3"')
    text = (rd / "divergence.txt").read_text()
    assert "Processes: 3 in run 2, 3 in run 3; 3 matched." in text
    assert f"/bin/cat (pid {cat_pids[0]}), child 2 of" in text


def test_runs_runtrace_stopped_are_not_compared(tmp_path):
    """A timeout is runtrace's doing: no divergence.txt, no member."""
    p = run_rt("-c", 2, "--call-trace", "--timeout", 0.3, "-o", tmp_path / "out", "sleep 5")
    d, js = summary(p)
    for r in js["runs"]:
        assert r["reason"] == "timeout" and "divergence" not in r
        assert "divergence.txt" not in r["files"]


def test_j2_compares_with_a_passing_run_that_ended_before(tmp_path):
    """With -j, a failed run is compared with the passing run that ended last
    before it ended."""
    p = run_rt("-c", 12, "-j", 2, "--call-trace", "-o", tmp_path / "out", "--",
               workload("parflaky"), 0.5, 30)
    d, js = summary(p)
    ends = {r["index"]: r for r in js["runs"]}
    for r in js["runs"]:
        if not r["failed"]:
            continue
        dv = r["divergence"]
        if dv["result"] == "no passing run":
            assert dv["passing_run"] is None
            continue
        ref = ends[dv["passing_run"]]
        assert not ref["failed"]
        assert end_s(ref) <= end_s(r) + 0.05, (ref, r)
        assert dv["result"] == "departs" and "parflaky: failed this time" in dv["syscall"]
