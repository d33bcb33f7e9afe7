# SPDX-License-Identifier: GPL-2.0-only
"""run -j N: several runs at once, each with its own scope and evidence.

Oracles: the workload's own account (tests/workloads/parflaky appends its pid,
port and exit code to a ledger; each run prints its pid and port), tcpdump on
lo beside the runs (the packets of each port), the process table (/proc),
bpftool's list of links and the cgroup2 tree.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import RT, BPF_SKIP, artifacts_of, requires_bpf, run_rt, workload  # noqa: E402
from test_runner import (ALL_FLAGS, ALL_FILES, assert_all_flags_artifacts,  # noqa: E402
                         leftover_cgroups, link_ids_of, live_link_ids)

needs_tools = pytest.mark.skipif(
    not (shutil.which("tshark") and shutil.which("tcpdump")),
    reason="needs tcpdump and tshark (apt-get install tcpdump tshark)")


def summary(proc):
    d = artifacts_of(proc)
    assert d is not None, proc.stdout + proc.stderr
    return d, json.loads((d / "summary.json").read_text())


def start_s(run):
    return datetime.fromisoformat(run["start"].replace("Z", "+00:00")).timestamp()


def descendants(pid):
    """Every process below @pid, from /proc."""
    kids = {}
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            ppid = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(p.name))
    out, todo = [], [pid]
    while todo:
        for c in kids.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_text(errors="replace").split("\0")
    except OSError:
        return []


class LoCapture:
    """tcpdump -i lo beside the runs: the independent view of their packets."""

    def __init__(self, path):
        self.path = path
        self.proc = subprocess.Popen(
            ["tcpdump", "-i", "lo", "-n", "-B", "65536", "-U", "--immediate-mode", "-w", str(path),
             "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()
        assert "listening on" in line, line

    def stop(self):
        time.sleep(0.3)
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=10)


def tcp_ports(pcap, *extra):
    """(source port, destination port, tcp.len) of every TCP packet in @pcap."""
    out = subprocess.run(["tshark", "-n", "-r", str(pcap), "-T", "fields", "-E", "separator=|",
                          "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.len", *extra],
                         capture_output=True, text=True, check=True).stdout
    return [tuple(int(x or 0) for x in line.split("|")) for line in out.splitlines()]


@requires_bpf
@needs_tools
def test_j4_flaky_counts_exact_and_evidence_separate(tmp_path):
    ledger = tmp_path / "ledger"
    outdir = tmp_path / "out"
    n = 24
    cap = LoCapture(tmp_path / "lo.pcap")
    try:
        t = time.monotonic()
        p = run_rt("-c", n, "-j", 4, "--log-trace", *ALL_FLAGS, "-o", outdir, "--",
                   workload("parflaky"), 0.5, 150, ledger)
        took = time.monotonic() - t
    finally:
        cap.stop()
    # the workload's own account: one line per run it made
    acct = [tuple(map(int, l.split())) for l in ledger.read_text().splitlines()]
    assert len(acct) == n
    failed = sum(1 for a in acct if a[2])
    assert 0 < failed < n, "flaky at 0.5 failed never or always: rerun"
    assert p.returncode == 1, p.stderr
    assert re.search(rf"^runs: {n} of {n}   failed: {failed}   ", p.stdout, re.M), p.stdout
    assert f"The return code: 1, happened {failed} times" in p.stdout
    assert f"The return code: 0, happened {n - failed} times" in p.stdout
    d, js = summary(p)
    assert js["runs_made"] == n and js["failed"] == failed and js["stopped"] == "completed"
    # runs in index order; their start times show them overlapping
    assert [r["index"] for r in js["runs"]] == list(range(1, n + 1))
    spans = sorted((start_s(r), start_s(r) + r["duration_ms"] / 1e3) for r in js["runs"])
    assert any(b[0] < a[1] for a, b in zip(spans, spans[1:])), spans
    # at 150 ms each, 4 at once: well under the sequential time
    assert took < n * 0.15 * 0.75, took
    kept = [r for r in js["runs"] if r["kept"]]
    assert len(kept) == failed and all(r["failed"] and r["exit_code"] == 1 for r in kept)
    assert sorted(x.name for x in d.iterdir() if x.name.startswith("run-")) == \
        [r["dir"] for r in kept]
    fail_ports = {a[1]: a[0] for a in acct if a[2]}
    lo_all = tcp_ports(tmp_path / "lo.pcap")
    runs_of_port, pids_of_run = {}, {}
    for r in kept:
        rd = d / r["dir"]
        assert_all_flags_artifacts_but_divergence(rd, r["files"])
        # its own output, one process's account
        m = re.fullmatch(r"parflaky: pid (\d+) port (\d+)\n", (rd / "stdout.log").read_text())
        assert m, (rd / "stdout.log").read_text()
        pid, port = int(m.group(1)), int(m.group(2))
        assert fail_ports.get(port) == pid, (port, pid, fail_ports)
        runs_of_port[port] = r["dir"]
        # procs.log: its processes, the ones the ledger names
        procs = (rd / "procs.log").read_text()
        pids = {int(x) for x in re.findall(r"pid (\d+)", procs)}
        assert pid in pids
        pids_of_run[r["dir"]] = pids
        # syscalls.log: only its processes, only its port
        log = (rd / "syscalls.log").read_text()
        log_pids = {int(x) for x in re.findall(r"^\S+ \[pid +(\d+)\]", log, re.M)}
        assert pid in log_pids and log_pids <= pids, (log_pids, pids)
        ports = {int(x) for x in re.findall(r"sin_port=htons\((\d+)\)", log)}
        assert port in ports and ports <= {port, 0}, ports
        # net.pcap: exactly the packets of its port that tcpdump saw on lo
        mine = tcp_ports(rd / "net.pcap")
        assert mine and all(port in (s, t) for s, t, _ in mine), (port, mine[:5])
        lo = [x for x in lo_all if port in x[:2]]
        assert sorted(mine) == sorted(lo), (port, mine, lo)
        # sys-trace saw its processes: the parent and the child
        assert json.loads(json.dumps(r["sys"]))["procs_started"] >= 2
        # divergence.txt names the run it was compared with, a passing one
        dv = r["divergence"]
        assert dv["result"] in ("departs", "no passing run"), dv
        if dv["passing_run"] is not None:
            assert not js["runs"][dv["passing_run"] - 1]["failed"]
    # no process of one run in another's procs.log
    dirs = list(pids_of_run)
    for i, a in enumerate(dirs):
        for b in dirs[i + 1:]:
            assert not pids_of_run[a] & pids_of_run[b], (a, b)


def assert_all_flags_artifacts_but_divergence(rundir, files):
    """A run that failed by itself, of ALL_FLAGS and --log-trace: every
    artifact, complete, and divergence.txt."""
    assert sorted(files) == sorted(ALL_FILES + ["divergence.txt"])
    assert "+++ exited with 1 +++" in (rundir / "syscalls.log").read_text()
    assert (rundir / "sys.csv").read_text().startswith("t_ms,")
    assert (rundir / "sys.svg").read_text().rstrip().endswith("</svg>")
    assert (rundir / "divergence.txt").read_text().startswith("runtrace divergence: run ")


def pids_of_ours(rt_pid, needle):
    return [q for q in descendants(rt_pid) if needle in cmdline(q)]


@pytest.mark.parametrize("flags", [[], pytest.param(ALL_FLAGS, marks=requires_bpf),
                                   pytest.param(ALL_FLAGS[1:], marks=[requires_bpf,
                                                                      pytest.mark.kernel_matrix])],
                         ids=["plain", "all-flags", "sys-net"])
def test_sigint_with_four_runs_in_flight(outdir, flags):
    proc = subprocess.Popen([RT, "-c", "100", "-j", "4", "--log-trace", *flags, "-o", str(outdir),
                             "--", "sh", "-c", "echo started; exec sleep 7.75"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 15
    sleepers = []
    while time.monotonic() < deadline:
        sleepers = pids_of_ours(proc.pid, "7.75")
        if len(sleepers) == 4 and all(cmdline(q)[0] == "sleep" for q in sleepers):
            break
        time.sleep(0.05)
    assert len(sleepers) == 4, sleepers
    links = link_ids_of(proc.pid)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert re.search(r"^runs: 4 of 100 \(interrupted\)   failed: 4", out, re.M), out
    d = artifacts_of(subprocess.CompletedProcess([], 0, out, err))
    js = json.loads((d / "summary.json").read_text())
    assert js["stopped"] == "interrupted" and js["runs_made"] == 4
    assert [r["index"] for r in js["runs"]] == [1, 2, 3, 4]
    for r in js["runs"]:
        assert r["reason"] == "interrupted" and r["signal"] == "SIGKILL", r
        assert (d / r["dir"] / "stdout.log").read_text() == "started\n"
        if flags == ALL_FLAGS:
            assert_all_flags_artifacts(d / r["dir"], r["files"])
        elif flags:
            assert sorted(r["files"]) == [f for f in ALL_FILES if f != "syscalls.log"]
            assert (d / r["dir"] / "sys.svg").read_text().rstrip().endswith("</svg>")
            assert r["sys"]["procs_started"] == 1  # sh exec'd sleep: one process
    # nothing left: no process, no BPF link, no cgroup
    for q in sleepers:
        assert not Path(f"/proc/{q}").exists() or "7.75" not in cmdline(q), q
    if flags and BPF_SKIP is None:
        assert links, "runtrace held no BPF link during the runs"
        assert not links & live_link_ids()
    if BPF_SKIP is None:
        assert f"runtrace-{proc.pid}" not in leftover_cgroups()


def mkdir_gate_cmd(gate, ledger, slow):
    """The first two runs to take a gate sleep @slow s and pass; every other
    fails at once.  Each run writes its pid to @ledger first."""
    return (f"echo $$ >> {ledger}; if mkdir {gate}/a 2>/dev/null || mkdir {gate}/b 2>/dev/null; "
            f"then exec sleep {slow}; else exit 1; fi")


@pytest.mark.parametrize("kill", [False, True], ids=["finish", "kill-on-fail"])
def test_failed_count_stops_starting_and_running_ones(tmp_path, kill):
    gate, ledger, outdir = tmp_path / "gate", tmp_path / "ledger", tmp_path / "out"
    gate.mkdir()
    slow = 30 if kill else 1.5
    t = time.monotonic()
    p = run_rt("-c", 50, "-j", 4, "--failed-count", 2, *(["--kill-on-fail"] if kill else []),
               "-o", outdir, mkdir_gate_cmd(gate, ledger, slow))
    took = time.monotonic() - t
    made = len(ledger.read_text().split())
    assert p.returncode == 1, p.stderr
    assert "INFO: I reached max failed attempts, I GIVE UP" in p.stdout
    d, js = summary(p)
    # exactly the runs made, in index order, the two slow ones among them
    assert js["runs_made"] == made and 4 <= made < 50, (made, p.stdout)
    assert [r["index"] for r in js["runs"]] == list(range(1, made + 1))
    assert js["stopped"] == "failed-count"
    assert re.search(rf"^runs: {made} of 50 \(stopped after 2 failures\)", p.stdout, re.M)
    if kill:
        # the two sleepers, and any other run still in flight, killed
        stopped = [r for r in js["runs"] if r["reason"] == "interrupted"]
        assert len(stopped) >= 2, js["runs"]
        assert all(r["signal"] == "SIGKILL" for r in stopped)
        assert js["failed"] == made and took < 10, took
    else:
        # the two sleepers finished, and passed
        passed = [r for r in js["runs"] if not r["failed"]]
        assert len(passed) == 2 and all(r["duration_ms"] >= slow * 1000 for r in passed)
        assert js["failed"] == made - 2 and took >= slow
    assert not [q for q in descendants(os.getpid()) if str(slow) in cmdline(q)]


def test_progress_shows_runs_in_flight(outdir):
    import pty
    import select
    master, slave = pty.openpty()
    proc = subprocess.Popen([RT, "-c", "6", "-j", "3", "-o", str(outdir), "sleep 0.5"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        r, _, _ = select.select([master], [], [], 10)
        if not r:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=10)
    os.close(master)
    assert b"[runtrace] 0/6 runs, 0 failed, 3 running" in seen, seen
    assert b"[runtrace] 3/6 runs, 0 failed, 3 running" in seen, seen
    assert seen.endswith(b"\r\x1b[K")


def test_jobs_usage_errors(tmp_path):
    for args, needle in [(["-j", "-1", "true"], "invalid -j '-1'"),
                         (["-j", "x", "true"], "invalid -j 'x'"),
                         (["--kill-on-fail", "true"], "--kill-on-fail goes with --failed-count")]:
        p = run_rt(*args, "-o", tmp_path)
        assert p.returncode == 2 and needle in p.stderr, (args, p.stderr)


def test_j0_is_one_run_per_cpu(outdir):
    """-j 0: as many runs at once as CPUs (nproc's count), never more."""
    ncpu = int(subprocess.run(["nproc"], capture_output=True, text=True).stdout)
    p = run_rt("-c", ncpu * 2, "-j", 0, "--keep-all", "-o", outdir, "sleep 1")
    assert p.returncode == 0
    _, js = summary(p)
    # the most runs in flight at once, from their start and end times
    edges = sorted([(start_s(r), 1) for r in js["runs"]] +
                   [(start_s(r) + r["duration_ms"] / 1e3, -1) for r in js["runs"]],
                   key=lambda e: (e[0], e[1]))
    most = now = 0
    for _, d in edges:
        now += d
        most = max(most, now)
    assert most == ncpu, edges


@pytest.mark.parametrize("flags", [[], pytest.param(ALL_FLAGS, marks=requires_bpf)],
                         ids=["plain", "all-flags"])
def test_timeout_per_run_in_parallel(outdir, flags):
    """--timeout applies to each run of -j on its own: four runs that ignore
    SIGTERM, all killed after 0.5 s, together."""
    t = time.monotonic()
    p = run_rt("-c", 4, "-j", 4, "--timeout", 0.5, *flags, "-o", outdir, "--",
               workload("sigterm_ignorer"), 4)
    took = time.monotonic() - t
    assert p.returncode == 1
    assert "timed out after 0.5 s (whole process tree killed): 4 times" in p.stdout
    _, js = summary(p)
    for r in js["runs"]:
        assert r["reason"] == "timeout" and r["signal"] == "SIGKILL"
        assert 500 <= r["duration_ms"] < 1500
    starts = sorted(start_s(r) for r in js["runs"])
    assert starts[-1] - starts[0] < 0.4, starts
    assert took < 3, took
    assert not [q for q in descendants(os.getpid()) if "sigterm_ignorer" in " ".join(cmdline(q))]
