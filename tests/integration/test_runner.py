# SPDX-License-Identifier: GPL-2.0-only
"""The runner: runs, summary, artifacts, timeouts, signals, scope teardown."""
import json
import os
import pty
import re
import select
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import RT, BPF_SKIP, artifacts_of, requires_bpf, run_rt, workload

DUR = r"duration min/median/max: [0-9.]+/[0-9.]+/[0-9.]+ (ms|s)"


def rm_message():
    """What rm itself prints for a missing file: the truth stderr.log must hold."""
    p = subprocess.run(["rm", "non_exist_file"], capture_output=True, text=True, cwd="/")
    assert p.returncode == 1
    return p.stderr


def summary_json(proc):
    d = artifacts_of(proc)
    assert d is not None, proc.stdout
    return d, json.loads((d / "summary.json").read_text())


def cgroup2_mount():
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        left, _, right = line.partition(" - ")
        if right.split()[0] == "cgroup2":
            return Path(left.split()[4])
    return None


def leftover_cgroups():
    m = cgroup2_mount()
    return sorted(p.name for p in m.glob("runtrace-*")) if m else []


def link_ids_of(pid):
    """BPF link ids held open by process @pid (from its fdinfo)."""
    ids = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if "bpf_link" not in os.readlink(fd):
                continue
            m = re.search(r"^link_id:\s*(\d+)", Path(f"/proc/{pid}/fdinfo/{fd.name}").read_text(), re.M)
        except OSError:
            continue
        if m:
            ids.add(int(m.group(1)))
    return ids


def live_link_ids():
    p = subprocess.run(["bpftool", "-j", "link", "list"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return {l["id"] for l in json.loads(p.stdout or "[]")}


ALL_FLAGS = ["--call-trace", "--sys-trace", "--net-trace"]
# what a kept run holds with --log-trace and ALL_FLAGS
ALL_FILES = ["net.pcap", "procs.log", "stderr.log", "stdout.log", "sys.csv", "sys.svg",
             "sys.txt", "syscalls.log"]


def assert_all_flags_artifacts(rundir, files):
    """A run kept with --log-trace and ALL_FLAGS holds every artifact, complete."""
    assert sorted(files) == ALL_FILES
    assert "+++ killed by SIGKILL +++" in (rundir / "syscalls.log").read_text()
    assert (rundir / "sys.csv").read_text().startswith("t_ms,")
    assert (rundir / "sys.svg").read_text().rstrip().endswith("</svg>")
    if shutil.which("tcpdump"):
        t = subprocess.run(["tcpdump", "-nr", str(rundir / "net.pcap")],
                           capture_output=True, text=True)
        assert t.returncode == 0, t.stderr


@pytest.mark.kernel_matrix
def test_seed_example_summary_and_logs(outdir):
    p = run_rt("rm non_exist_file", "-c", 3, "--failed-count", 2, "--log-trace", "-o", outdir,
               cwd="/")
    assert p.returncode == 1, p.stderr
    msg = rm_message()
    # the original runner's words, in order
    expected = ("Failed to execute. printing available output logs:\nstderr:\n" + msg) * 2 + \
        "INFO: I reached max failed attempts, I GIVE UP\n" \
        "The most frequent return code was 1\n" \
        "Here is a summary of all return codes and how many times they happened:\n" \
        "The return code: 1, happened 2 times\n"
    assert p.stdout.startswith(expected), p.stdout
    assert re.search(r"^runs: 2 of 3 \(stopped after 2 failures\)   failed: 2   " + DUR + "$",
                     p.stdout, re.M), p.stdout
    d, js = summary_json(p)
    assert d.parent == outdir
    assert js["runs_made"] == 2 and js["failed"] == 2 and js["stopped"] == "failed-count"
    assert js["return_codes"] == {"1": 2}
    for i in (1, 2):
        run = d / f"run-{i:04d}"
        assert (run / "stderr.log").read_text() == msg
        assert (run / "stdout.log").read_text() == ""
        r = js["runs"][i - 1]
        assert r["exit_code"] == 1 and r["failed"] and r["reason"] == "exit" and r["kept"]
        assert "stderr.log" in r["files"]
    assert not (d / "run-0003").exists()


def test_flaky_counts_agree(outdir):
    p = run_rt("-c", 20, "--timeout", 2, "--log-trace", "-o", outdir, "--",
               workload("flaky"), "0.3")
    assert p.returncode in (0, 1)
    m = re.search(r"^runs: 20 of 20   failed: (\d+)", p.stdout, re.M)
    assert m, p.stdout
    failed = int(m.group(1))
    assert p.returncode == (1 if failed else 0)
    if not failed:
        assert "artifacts: none" in p.stdout and not outdir.exists()
        return
    d, js = summary_json(p)
    kept = sorted(x.name for x in d.iterdir() if x.name.startswith("run-"))
    assert len(kept) == failed == js["failed"]
    for r in js["runs"]:
        assert r["failed"] == (r["exit_code"] == 1)
        rd = d / r["dir"]
        assert rd.exists() == r["failed"]
        if r["failed"]:
            assert (rd / "stderr.log").read_text() == "flaky: failed this time\n"
            assert (rd / "stdout.log").read_text() == "flaky: working\n"
    counts = re.findall(r"^The return code: (\d+), happened (\d+) times$", p.stdout, re.M)
    assert sum(int(n) for _, n in counts) == 20
    assert dict(counts).get("1", "0") == str(failed)


def test_all_succeed_leave_nothing(outdir):
    p = run_rt("-c", 3, "--log-trace", "-o", outdir, "true")
    assert p.returncode == 0
    assert "The return code: 0, happened 3 times" in p.stdout
    assert "artifacts: none" in p.stdout
    assert not outdir.exists()


def test_keep_all_keeps_successful_runs(outdir):
    p = run_rt("-c", 2, "--keep-all", "--log-trace", "-o", outdir, "echo hello")
    assert p.returncode == 0
    d, js = summary_json(p)
    for i in (1, 2):
        assert (d / f"run-{i:04d}" / "stdout.log").read_text() == "hello\n"
    assert all(r["kept"] and not r["failed"] for r in js["runs"])
    # a successful run's output is not printed
    assert "Failed to execute" not in p.stdout


def test_missing_program_is_127(outdir):
    p = run_rt("--log-trace", "-o", outdir, "--", "/nonexistent/prog")
    assert p.returncode == 1
    assert "The return code: 127, happened 1 times" in p.stdout
    d, _ = summary_json(p)
    assert "cannot execute '/nonexistent/prog': No such file or directory" in \
        (d / "run-0001" / "stderr.log").read_text()
    p = run_rt("-o", outdir, "no_such_command_xyz")
    assert "The return code: 127, happened 1 times" in p.stdout


@pytest.mark.parametrize("sig,name", [(None, "SIGSEGV"), (6, "SIGABRT")])
def test_signal_death_reported_by_name(outdir, sig, name):
    args = [workload("crash")] + ([str(sig)] if sig else [])
    p = run_rt("-c", 2, "-o", outdir, "--", *args)
    assert p.returncode == 1
    assert f"killed by {name}: 2 times" in p.stdout
    assert "The return code" not in p.stdout
    _, js = summary_json(p)
    assert [r["signal"] for r in js["runs"]] == [name, name]
    assert all(r["reason"] == "signal" and r["exit_code"] is None for r in js["runs"])


def pids_of(name):
    p = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True)
    return [int(x) for x in p.stdout.split()]


@pytest.mark.parametrize("flags", [[], pytest.param(ALL_FLAGS, marks=requires_bpf)],
                         ids=["plain", "all-flags"])
def test_timeout_kills_tree_ignoring_sigterm(outdir, flags):
    assert not pids_of("sigterm_ignorer")
    t = time.monotonic()
    p = run_rt("-c", 2, "--timeout", 0.5, "--log-trace", *flags, "-o", outdir, "--",
               workload("sigterm_ignorer"), 4)
    took = time.monotonic() - t
    assert p.returncode == 1
    assert took < 5, took
    assert "timed out after 0.5 s (whole process tree killed): 2 times" in p.stdout
    d, js = summary_json(p)
    for r in js["runs"]:
        assert r["reason"] == "timeout"
        assert r["signal"] == "SIGKILL" and r["exit_code"] is None
        assert 500 <= r["duration_ms"] < 1500
        if flags:
            assert_all_flags_artifacts(d / r["dir"], r["files"])
    assert not pids_of("sigterm_ignorer")


def test_daemon_killed_at_run_end_and_absent_from_next_run(tmp_path, outdir):
    piddir = tmp_path / "pids"
    piddir.mkdir()
    cmd = (f"for f in {piddir}/pid.*; do [ -e \"$f\" ] && kill -0 $(cat $f) 2>/dev/null "
           f"&& echo ALIVE $(cat $f); done; {workload('daemonize')} {piddir}/pid.$$ 1")
    p = run_rt("-c", 3, "--log-trace", "-o", outdir, cmd)
    assert p.returncode == 1
    d, _ = summary_json(p)
    pids = [int(f.read_text()) for f in piddir.iterdir()]
    assert len(pids) == 3
    for i in (2, 3):
        assert "ALIVE" not in (d / f"run-{i:04d}" / "stdout.log").read_text()
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists(), f"daemon {pid} survived"


@pytest.mark.parametrize("flags", [[], pytest.param(ALL_FLAGS, marks=requires_bpf)],
                         ids=["plain", "all-flags"])
@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_mid_run_leaves_complete_summary_and_nothing_behind(outdir, sig, code, flags):
    proc = subprocess.Popen([RT, "-c", "100", "--log-trace", *flags, "-o", str(outdir), "--",
                             "sh", "-c", "echo started; exec sleep 7.25"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    # wait until run 1's child is sleeping
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(
            "sleep\x007.25" in Path(f"/proc/{q}/cmdline").read_text(errors="replace")
            for q in pids_of("sleep")):
        time.sleep(0.05)
    links = link_ids_of(proc.pid)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == code, err
    assert re.search(r"^runs: 1 of 100 \(interrupted\)   failed: 1", out, re.M), out
    d = artifacts_of(subprocess.CompletedProcess([], 0, out, err))
    js = json.loads((d / "summary.json").read_text())
    assert js["stopped"] == "interrupted"
    assert js["runs"][0]["reason"] == "interrupted"
    assert js["runs"][0]["signal"] == "SIGKILL"
    assert (d / "run-0001" / "stdout.log").read_text() == "started\n"
    if flags:
        assert_all_flags_artifacts(d / "run-0001", js["runs"][0]["files"])
    assert not [q for q in pids_of("sleep")
                if "7.25" in Path(f"/proc/{q}/cmdline").read_text(errors="replace")]
    if BPF_SKIP is None:
        assert links, "runtrace held no BPF link during the run"
        assert not links & live_link_ids()
        assert f"runtrace-{proc.pid}" not in leftover_cgroups()


@pytest.mark.parametrize("flags", [[], pytest.param(["--call-trace=json", *ALL_FLAGS[1:]],
                                                     marks=requires_bpf)],
                         ids=["plain", "all-flags"])
def test_output_permissions(outdir, flags):
    # umask 0: no file may count on the umask (libpcap's own fopen would give 0666)
    p = run_rt("--log-trace", *flags, "-o", outdir, "echo secret; exit 1",
               preexec_fn=lambda: os.umask(0))
    d, _ = summary_json(p)
    assert stat.S_IMODE(outdir.stat().st_mode) == 0o700
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    assert stat.S_IMODE((d / "run-0001").stat().st_mode) == 0o700
    files = [f for f in d.rglob("*") if f.is_file()]
    assert files
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    if flags:
        assert {"net.pcap", "syscalls.jsonl", "sys.csv"} <= {f.name for f in files}


@pytest.mark.parametrize("flags", [[], pytest.param(ALL_FLAGS, marks=requires_bpf)],
                         ids=["plain", "all-flags"])
def test_unwritable_output_fails_before_any_run(tmp_path, flags):
    marker = tmp_path / "ran"
    blocker = tmp_path / "file"
    blocker.write_text("")
    p = run_rt(*flags, "-o", blocker / "sub", f"touch {marker}")
    assert p.returncode == 3
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("runtrace: cannot create output directory")
    assert "Not a directory" in lines[0]
    assert not marker.exists()
    assert p.stdout == ""


@pytest.mark.parametrize("args,needle", [
    (["-c", "0", "true"], "invalid -c '0'"),
    (["-c", "-1", "true"], "invalid -c '-1'"),
    (["-c", "abc", "true"], "invalid -c 'abc'"),
    (["--failed-count", "0", "true"], "invalid --failed-count '0'"),
    (["--frobnicate", "true"], "unknown option '--frobnicate'"),
    (["--snaplen", "0", "--net-trace", "true"], "invalid --snaplen '0'"),
    (["--interval", "0", "--sys-trace", "true"], "invalid --interval '0'"),
    (["--call-trace", "-e", "trace=nosuch", "true"], "invalid -e 'trace=nosuch'"),
    (["--call-trace=xml", "true"], "invalid --call-trace 'xml'"),
    ([""], "empty command"),
    ([], "no command given"),
])
def test_usage_errors(args, needle, tmp_path):
    p = run_rt(*args, cwd=tmp_path)
    assert p.returncode == 2
    assert p.stdout == ""
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"runtrace: {needle}"), p.stderr
    assert not (tmp_path / "runtrace-out").exists()


def test_help_and_version():
    p = run_rt("--help")
    assert p.returncode == 0 and p.stdout == ""
    assert "Usage: runtrace" in p.stderr and "Exit status" in p.stderr
    p = run_rt("--version")
    assert p.returncode == 0 and re.match(r"runtrace \d+\.\d+\.\d+\n$", p.stdout)
    p = run_rt("--version", "-v")
    assert p.returncode == 0
    for key in ("libbpf:", "kernel:", "btf:", "cgroup2:", "privileges:"):
        assert key in p.stdout
    assert os.uname().release in p.stdout


def test_show_output_passes_through_and_captures(outdir):
    p = run_rt("--show-output", "--log-trace", "-o", outdir, "echo out; echo err >&2; exit 2")
    assert p.returncode == 1
    assert p.stdout.startswith("out\n")
    assert "err\n" in p.stderr
    d, _ = summary_json(p)
    assert (d / "run-0001" / "stdout.log").read_text() == "out\n"
    assert (d / "run-0001" / "stderr.log").read_text() == "err\n"


def test_quiet_without_show_output(outdir):
    p = run_rt("-o", outdir, "echo loud; echo louder >&2")
    assert p.returncode == 0
    assert "loud" not in p.stdout and "louder" not in p.stderr
    assert p.stderr == ""  # no progress display when stderr is not a terminal


def test_progress_on_a_terminal(outdir):
    master, slave = pty.openpty()
    proc = subprocess.Popen([RT, "-c", "3", "-o", str(outdir), "sleep 0.3"],
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
    assert b"[runtrace] 1/3 runs, 0 failed" in seen
    assert seen.endswith(b"\r\x1b[K")  # cleared at the end


def test_nobody_plain_runner_works_and_bpf_flags_refused():
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to nobody")
    base = Path(tempfile.mkdtemp(prefix="rt-nobody-", dir="/tmp"))
    try:
        _as_nobody(base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _as_nobody(base):
    os.chmod(base, 0o755)
    os.chown(base, 65534, 65534)
    # the build tree may sit where nobody cannot reach (/root): use a copy
    rt = base / "runtrace"
    shutil.copy2(RT, rt)
    os.chmod(rt, 0o755)
    asan_env = {k: v for k, v in os.environ.items()}
    as_nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
    p = subprocess.run(as_nobody + [str(rt), "-c", "2", "--log-trace", "-o", str(base / "o"),
                                    "echo hi; exit 3"],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL, env=asan_env,
                       timeout=60)
    assert p.returncode == 1, p.stderr
    assert "The return code: 3, happened 2 times" in p.stdout
    d = artifacts_of(p)
    assert (d / "run-0002" / "stdout.log").read_text() == "hi\n"
    for flag in ("--call-trace", "--sys-trace", "--net-trace"):
        marker = base / "ran"
        p = subprocess.run(as_nobody + [str(rt), flag, "-o", str(base / "o2"), f"touch {marker}"],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL,
                           env=asan_env, timeout=60)
        assert p.returncode == 3
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1, p.stderr
        assert lines[0].startswith(f"runtrace: {flag} needs BPF: missing CAP_SYS_ADMIN")
        assert "run as root" in lines[0]
        assert not marker.exists() and p.stdout == ""


@requires_bpf
@pytest.mark.kernel_matrix
def test_procs_log_shows_the_process_tree(outdir):
    cmd = "echo $$; sh -c 'echo $$; exit 4'; /bin/true; exit 2"
    p = run_rt("--log-trace", "-o", outdir, cmd)
    assert p.returncode == 1
    d, _ = summary_json(p)
    root, child = map(int, (d / "run-0001" / "stdout.log").read_text().split())
    log = (d / "run-0001" / "procs.log").read_text()
    assert f"exec    pid {root} /bin/sh\n" in log
    assert re.search(rf"fork    pid {root} -> pid {child} \(sh\)", log), log
    assert re.search(rf"exit    pid {child} exit 4 \(sh\)", log), log
    assert re.search(rf"exit    pid {root} exit 2 \(sh\)", log), log
    assert re.search(r"exec    pid \d+ /bin/true", log), log
    tree = log.split("# process tree")[1]
    assert re.search(rf"^{root} sh \[/bin/sh\]  exit 2 ", tree, re.M), tree
    assert re.search(rf"^  {child} sh \[(/usr)?/bin/sh\]  exit 4 ", tree, re.M), tree
    assert stat.S_IMODE((d / "run-0001" / "procs.log").stat().st_mode) == 0o600


@requires_bpf
def test_procs_log_threads_and_lost_count(outdir):
    p = run_rt("-c", 1, "-o", outdir, "--", "python3", "-c",
               "import threading,sys; t=threading.Thread(target=lambda:None); t.start(); "
               "t.join(); sys.exit(5)")
    assert p.returncode == 1
    d, js = summary_json(p)
    log = (d / "run-0001" / "procs.log").read_text()
    assert "started thread" in log
    assert "lost events: 0" in p.stdout
    assert js["runs"][0]["lost_events"] == 0
