# SPDX-License-Identifier: GPL-2.0-only
"""runtrace profile as root on real processes.

Oracles: the accuracy workloads' own account of their functions' inclusive
times (tests/workloads/profile_target.py, perf_counter; profile_native.c,
CLOCK_MONOTONIC), the kernel's own view of BPF links (fdinfo, bpftool), and
the prompt's documented words.
"""
import json
import os
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import RT, ROOT, requires_bpf, run_rt, workload
from test_trace import bpf_link_ids, link_exists, wait_for

WL = ROOT / "tests" / "workloads"
TARGET = WL / "profile_target.py"
LOOP = WL / "profile_loop.py"
PYTHONS = {
    "debian": "/usr/bin/python3.11",
    "pyenv": os.path.expanduser("~/.pyenv/versions/3.11.7/bin/python3.11"),
}
PY_FUNCS = ["cpu_loop", "disk_io", "network_request", "sleeper", "tiny", "many_small_calls",
            "thread_work", "recurse", "Worker.crunch", "run_all"]
NATIVE_FUNCS = ["native_cpu", "native_sleep", "native_fsync", "native_tiny", "native_calls",
                "native_main"]
DEFAULT_INTERVAL = 0.002  # s: PROFILE_DEFAULT_INTERVAL_NS


def python(name):
    path = PYTHONS[name]
    if not os.access(path, os.X_OK):
        pytest.skip(f"{path} is not installed")
    return path


def accuracy_errors(report, truth, interval):
    """The functions not within 5% or two periods of their true time,
    whichever is larger; the true time lies between the workload's inner
    and outer figures (they differ by a call's overhead per call)."""
    bad = []
    for f in report["functions"]:
        t = truth[f["name"]]
        lo, hi = min(t["inner"], t["outer"]), max(t["inner"], t["outer"])
        tol = max(0.05 * hi, 2 * interval)
        if not lo - tol <= f["time_s"] <= hi + tol:
            bad.append(f"{f['name']}: reported {f['time_s']:.3f} s, true {lo:.3f}-{hi:.3f} s")
        assert abs(f["on_cpu_s"] + f["off_cpu_s"] - f["time_s"]) < 1e-5
    return bad


def profiled_run(tmp_path, funcs, argv, attempts=2):
    """Run the workload under runtrace profile until every function is
    within bounds, at most @attempts times (a second run only when the
    first missed: on this project's shared VM a busy host now and then
    bends the sampling of functions that block thousands of times a
    second, README "Limits"); returns the last report and truth, and
    the misses of every run."""
    misses = []
    for i in range(attempts):
        truth_file = tmp_path / f"truth{i}.json"
        p = run_rt("profile", "--json", "-f", *funcs, "--", *argv[:-1], truth_file, argv[-1],
                   timeout=240)
        assert p.returncode == 0, p.stderr
        report = json.loads(p.stdout)
        truth = json.loads(truth_file.read_text())
        bad = accuracy_errors(report, truth["truth"], report["interval_ms"] / 1e3)
        misses.append(bad)
        if not bad:
            break
    return p, report, truth, misses


def functions(report):
    return {f["name"]: f for f in report["functions"]}


@requires_bpf
@pytest.mark.slow
@pytest.mark.parametrize("which", ["debian", "pyenv"])
def test_accuracy_python(which, tmp_path):
    p, report, truth, misses = profiled_run(tmp_path, PY_FUNCS,
                                            [python(which), TARGET, 0.6])
    assert not misses[-1], misses
    assert report["pid"] == truth["pid"]
    assert report["state"] == "exited"
    assert [f["name"] for f in report["functions"]] == PY_FUNCS
    f = functions(report)
    # waiting is off CPU, computing on CPU (give or take preemption on a busy machine)
    assert f["sleeper"]["off_cpu_s"] > 0.9 * f["sleeper"]["time_s"]
    assert f["network_request"]["off_cpu_s"] > 0.8 * f["network_request"]["time_s"]
    assert f["tiny"]["samples"] > 100
    assert "Profiler stopped." in p.stderr


@requires_bpf
@pytest.mark.slow
def test_accuracy_native(tmp_path):
    p, report, truth, misses = profiled_run(tmp_path, NATIVE_FUNCS,
                                            [workload("profile_native"), 0.5])
    assert not misses[-1], misses
    f = functions(report)
    assert all(f[n]["kind"] == "native" for n in NATIVE_FUNCS)
    # nanosleep blocks in libc, which has no frame pointers: its caller is found
    assert f["native_sleep"]["off_cpu_s"] > 0.9 * f["native_sleep"]["time_s"]


class Prompt:
    """runtrace profile with its prompt on a pipe."""

    def __init__(self, *args):
        self.p = subprocess.Popen([RT, "profile", *map(str, args)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  bufsize=1)
        self.out, self.err = [], []
        self.readers = [threading.Thread(target=self._read, args=(s, b), daemon=True)
                        for s, b in ((self.p.stdout, self.out), (self.p.stderr, self.err))]
        for r in self.readers:
            r.start()

    @staticmethod
    def _read(stream, buf):
        for line in stream:
            buf.append(line)

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def stdout(self):
        return "".join(self.out)

    def stderr(self):
        return "".join(self.err)

    def wait_out(self, pattern, count=1, timeout=20):
        ok = wait_for(lambda: len(re.findall(pattern, self.stdout(), re.M)) >= count, timeout)
        assert ok, f"no {pattern!r} in: {self.stdout()} / {self.stderr()}"

    def json_results(self):
        return [json.loads(l) for l in self.out if l.startswith("{")]

    def results(self):
        """Ask for the results (JSON mode) and return them."""
        n = len(self.json_results())
        self.send("results")
        assert wait_for(lambda: len(self.json_results()) > n, 20), self.stderr()
        return self.json_results()[-1]

    def close(self, timeout=20):
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        rc = self.p.wait(timeout=timeout)
        for r in self.readers:
            r.join(timeout=5)
        return rc

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


@pytest.fixture
def loop_target():
    procs = []

    def start(*args, py="debian"):
        p = subprocess.Popen([python(py), str(LOOP), *map(str, args)])
        procs.append(p)
        time.sleep(0.3)  # imported, looping
        return p
    yield start
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait()


@requires_bpf
def test_prompt_every_command(loop_target, tmp_path):
    target = loop_target(120)
    pr = Prompt("-p", target.pid, "--json")
    try:
        pr.wait_out(r"^Entering the profiler prompt")
        # off before start: nothing attached for a prompt without functions
        assert not bpf_link_ids(pr.p.pid)
        pr.send("status")
        pr.wait_out(r"^State: stopped")
        pr.send("start -f alpha beta -t 2ms")
        pr.wait_out(r"^Starting profiling process %d for functions: alpha, beta$" % target.pid)
        links = bpf_link_ids(pr.p.pid)
        assert links
        time.sleep(1.0)
        r1 = functions(pr.results())
        assert set(r1) == {"alpha", "beta"}
        assert r1["alpha"]["samples"] > 0 and r1["beta"]["off_cpu_s"] > 0
        assert r1["beta"]["off_cpu_s"] > r1["beta"]["on_cpu_s"]
        # add and remove, live: the table changes
        pr.send("add -f gamma")
        pr.wait_out(r"^Added: gamma$")
        pr.send("remove -f beta")
        pr.wait_out(r"^Removed: beta$")
        time.sleep(1.0)
        r2 = functions(pr.results())
        assert set(r2) == {"alpha", "gamma"}
        assert r2["gamma"]["samples"] > 0
        assert r2["alpha"]["time_s"] > r1["alpha"]["time_s"]
        # the period, live
        pr.send("interval 5ms")
        pr.wait_out(r"^Sampling interval: 5\.0 ms$")
        pr.send("status")
        pr.wait_out(r"^Interval: 5\.0 ms$")
        pr.wait_out(r"^State: running", 1)
        # stop: nothing attached, results kept
        pr.send("stop")
        pr.wait_out(r"^Profiling stopped")
        assert wait_for(lambda: not any(link_exists(i) for i in links), 5)
        assert not bpf_link_ids(pr.p.pid)
        r3 = functions(pr.results())
        time.sleep(0.5)
        r4 = functions(pr.results())
        assert r4["alpha"]["time_s"] == r3["alpha"]["time_s"]  # nothing added while stopped
        # a command it does not know: one line, and the prompt goes on
        nerr = len(pr.err)
        pr.send("frobnicate now")
        assert wait_for(lambda: len(pr.err) > nerr, 10)
        assert pr.err[nerr:] == ["runtrace: unknown command 'frobnicate' (type help)\n"]
        pr.send("help")
        pr.wait_out(r"^Commands:")
        # start again: the results add up
        pr.send("start")
        pr.wait_out(r"^Starting profiling process", 2)
        assert bpf_link_ids(pr.p.pid)
        time.sleep(1.0)
        r5 = functions(pr.results())
        assert r5["alpha"]["time_s"] > r4["alpha"]["time_s"]
        pr.send("exit")
        assert pr.close() == 0
        final = pr.json_results()[-1]
        assert final["state"] == "stopped"
        assert functions(final)["alpha"]["time_s"] >= r5["alpha"]["time_s"]
    finally:
        pr.kill()
    assert target.poll() is None  # untouched


@requires_bpf
def test_prompt_table_and_missing_function(loop_target):
    """The table (ASCII on a pipe), with a function the target does not have."""
    target = loop_target(120)
    pr = Prompt("-p", target.pid, "-f", "alpha", "nosuch")
    try:
        pr.wait_out(r"^Entering the profiler prompt")
        time.sleep(1.0)
        pr.send("results")
        pr.wait_out(r"^\+-")
        pr.send("exit")
        assert pr.close() == 0
    finally:
        pr.kill()
    table = [l for l in pr.stdout().splitlines() if l.startswith(("|", "+"))]
    assert table[1].split("|")[1].strip() == "Function Name"
    rows = {l.split("|")[1].strip(): [c.strip() for c in l.split("|")[2:-1]]
            for l in table if l.startswith("|") and "Function Name" not in l}
    assert rows["nosuch"][0] == "No Data Available"
    assert re.match(r"^\d+(\.\d+)? (s|ms|us) \+- \d", rows["alpha"][0])
    assert int(rows["alpha"][3]) > 0
    assert not pr.stderr()


def cpu_seconds(pid):
    """Time the (single-threaded) process has run on a CPU: the kernel's
    own account (/proc/PID/schedstat)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


@requires_bpf
def test_interval_sets_the_sampling_rate(loop_target):
    target = loop_target(120)
    pr = Prompt("-p", target.pid, "-f", "alpha", "-t", "2ms", "--json")
    rates = []
    try:
        pr.wait_out(r"^Entering the profiler prompt")
        for period in ("2ms", "10ms"):
            if period != "2ms":
                pr.send(f"interval {period}")
                pr.wait_out(r"^Sampling interval: 10\.0 ms$")
            a, ca = pr.results(), cpu_seconds(target.pid)
            time.sleep(2.0)
            b, cb = pr.results(), cpu_seconds(target.pid)
            rates.append((b["samples"] - a["samples"]) / (cb - ca))
        pr.send("exit")
        pr.close()
    finally:
        pr.kill()
    # ticks that found the target running, per second it ran: 1/period.
    # Within 35%: on a loaded 2-CPU VM the target's time slices can fall
    # in step with the 10 ms timer (74 a second was seen with a compiler
    # beside it); a period that did not change would stay 5 times off.
    assert rates[0] == pytest.approx(500, rel=0.35), rates
    assert rates[1] == pytest.approx(100, rel=0.35), rates


@requires_bpf
def test_target_exits_mid_profile(loop_target):
    target = loop_target(4.0)
    pr = Prompt("-p", target.pid, "-f", "alpha", "beta")
    try:
        pr.wait_out(r"^Entering the profiler prompt")
        links = bpf_link_ids(pr.p.pid)
        assert links
        # stdin stays open: runtrace ends because the target did
        assert pr.p.wait(timeout=20) == 0
    finally:
        pr.kill()
    out = pr.stdout()
    assert "Profiler stopped." in out
    assert out.index("Profiler stopped.") < out.index("| alpha")
    assert not any(link_exists(i) for i in links)


@requires_bpf
@pytest.mark.kernel_matrix
def test_duration_and_functions_file(loop_target, tmp_path):
    target = loop_target(120)
    ff = tmp_path / "funcs.txt"
    ff.write_text("# the loop's functions\nalpha\n\n  beta  \nprofile_loop.py:gamma\n")
    t0 = time.monotonic()
    p = run_rt("profile", "-p", target.pid, "-F", ff, "--duration", "1.5", "--json", timeout=60)
    assert p.returncode == 0, p.stderr
    assert time.monotonic() - t0 >= 1.5
    r = json.loads(p.stdout)
    assert [f["name"] for f in r["functions"]] == ["alpha", "beta", "profile_loop.py:gamma"]
    f = functions(r)
    assert all(f[n]["time_s"] > 0 for n in f)
    assert f["beta"]["off_cpu_intervals"] > 0
    # the loop is alpha ~10 ms on CPU, beta 10 ms asleep, gamma ~5 ms: none
    # can take longer than the time profiled
    assert all(f[n]["time_s"] <= r["profiled_s"] * 1.02 for n in f)
    assert r["profiled_s"] == pytest.approx(1.5, abs=0.3)
    assert target.poll() is None


@requires_bpf
def test_thread_blocked_before_start(loop_target):
    target = loop_target(60, "nap")
    p = run_rt("profile", "-p", target.pid, "-f", "napper", "--duration", "1", "--json", timeout=60)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    napper = functions(r)["napper"]
    assert napper["off_cpu_s"] == pytest.approx(r["profiled_s"], rel=0.1)


@requires_bpf
@pytest.mark.kernel_matrix
def test_native_process_by_pid(tmp_path):
    """A process that is not Python, its functions named as symbols."""
    nat = subprocess.Popen([workload("profile_native"), tmp_path / "truth.json", "4"])
    try:
        time.sleep(0.5)  # in native_cpu for 8 s
        p = run_rt("profile", "-p", nat.pid, "-f", "native_cpu", "profile_native:native_main",
                   "native_sleep", "--duration", "1", "--json", timeout=60)
        assert p.returncode == 0, p.stderr
        r = json.loads(p.stdout)
        f = functions(r)
        assert f["native_cpu"]["kind"] == "native"
        # on the stack all the time profiled (on CPU, or waiting for one)
        assert f["native_cpu"]["time_s"] == pytest.approx(r["profiled_s"], rel=0.1), r
        assert f["profile_native:native_main"]["time_s"] == pytest.approx(r["profiled_s"], rel=0.1), r
        assert f["native_sleep"]["samples"] == 0
    finally:
        nat.kill()
        nat.wait()


@requires_bpf
def test_bad_targets(tmp_path):
    # no such process
    p = run_rt("profile", "-p", 999999999, "-f", "alpha")
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == ["runtrace: no process 999999999"]
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        time.sleep(0.2)
        # a process that is not Python, with Python function names
        for name in ("heavy_computation", "app/main.py:heavy_computation"):
            p = run_rt("profile", "-p", sleeper.pid, "-f", name)
            assert p.returncode == 2, p.stdout
            errs = [l for l in p.stderr.splitlines() if l.startswith("runtrace:")]
            assert len(errs) == 1 and "not a Python process" in errs[0], p.stderr
            assert "Starting" not in p.stdout
    finally:
        sleeper.kill()
        sleeper.wait()


def test_usage_errors():
    for args in (["-f", "x", "--", ""], ["-p", "1", "-f", "x", "--", "true"], ["--", "true"],
                 ["-p", "abc"], ["-t", "1h", "-p", "1"], ["stray"], ["--duration", "1", "-f", "x"]):
        p = run_rt("profile", *args)
        assert p.returncode == 2, args
        assert len(p.stderr.strip().splitlines()) == 1, (args, p.stderr)
    p = run_rt("profile", "--help")
    assert p.returncode == 0 and "runtrace profile" in p.stdout
