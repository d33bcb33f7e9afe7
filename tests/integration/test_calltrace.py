# SPDX-License-Identifier: GPL-2.0-only
"""--call-trace: syscalls.log of failed runs, checked against the golden
workload's own account of its syscalls and against strace -f on the same
workload."""
import json
import re
import shutil
import subprocess
from collections import defaultdict

import pytest

from conftest import artifacts_of, requires_bpf, run_rt, workload

GOLDEN = "calltrace_golden"
MISSING = "/nonexistent/runtrace-golden.conf"

# runtrace: "12:01:02.123456 [pid  4211] name(args) = ret <0.000012>"
RT_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{6} \[pid +(\d+)\] (.*)$")
# strace -f -o: "4211  name(args) = ret"
ST_LINE = re.compile(r"^(\d+) +(.*)$")
CALL = re.compile(r"^(\w+)\((.*)$")
# Return values that differ from run to run (addresses, pids) or with timing.
VOLATILE_RET = {"mmap", "mremap", "brk", "clone", "clone3", "fork", "vfork",
                "set_tid_address", "getpid", "gettid", "getppid", "wait4",
                "rt_sigreturn", "futex"}
PATH_CALLS = {"open", "openat", "openat2", "access", "faccessat", "faccessat2",
              "newfstatat", "stat", "lstat", "statx", "execve", "readlink",
              "readlinkat", "unlink", "unlinkat", "mkdir", "chdir", "rename"}
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
# strace's lines that are not syscalls: signal deliveries, thread ends.
EVENTS = ("---", "+++")


def split_ret(rest):
    """'args) = ret <dur>' -> (args, ret) ; unfinished -> (args, None)."""
    if rest.endswith("<unfinished ...>"):
        return rest[:-len("<unfinished ...>")].rstrip(), None
    m = re.match(r"^(.*)\)\s+= (.*?)(?: <\d+\.\d+>)?$", rest)
    if not m:
        return rest, "?"
    return m.group(1), m.group(2)


def parse_calls(lines, line_re):
    """[(tid, name, args, ret)] in file order; strace's unfinished/resumed
    pairs are joined; signal and exit lines are skipped."""
    out, pending = [], {}
    for line in lines:
        m = line_re.match(line)
        if not m:
            continue
        tid, body = int(m.group(1)), m.group(2)
        if body.startswith(("---", "+++")):
            continue
        r = re.match(r"^<\.\.\. (\w+) resumed>(.*)$", body)
        if r:
            if tid in pending:
                idx = pending.pop(tid)
                name, args0, _ = out[idx][1:]
                args, ret = split_ret(r.group(2))
                out[idx] = (tid, name, args0 + args, ret)
            continue
        c = CALL.match(body)
        if not c:
            continue
        args, ret = split_ret(c.group(2))
        out.append((tid, c.group(1), args, ret))
        if ret is None and line_re is ST_LINE:
            pending[tid] = len(out) - 1
    return out


def from_exec_of(calls, prog):
    """The calls from the execve of @prog on (runtrace also sees the
    runner's child before it execs)."""
    for i, (tid, name, args, ret) in enumerate(calls):
        if name == "execve" and prog in args:
            return calls[i:]
    raise AssertionError(f"no execve of {prog} in the trace")


def canonical(calls):
    """Per thread: the tuple of (name, ret, first path); sorted list of them.
    futex is left out (its count depends on timing)."""
    threads = defaultdict(list)
    for tid, name, args, ret in calls:
        if name == "futex":
            continue
        r = "*" if name in VOLATILE_RET else (ret or "?").split(" (")[0]
        path = None
        if name in PATH_CALLS:
            q = QUOTED.search(args)
            path = q.group(1) if q else None
        threads[tid].append((name, r, path))
    return sorted((tuple(v) for v in threads.values()),
                  key=lambda t: [(n, r, p or "") for n, r, p in t])


def assert_same_calls(ours, theirs, unread_ok=0):
    """canonical() of runtrace's calls and of strace's: the same threads
    with the same syscalls, results and paths; but for at most @unread_ok
    paths runtrace shows as their address (memory the BPF program could not
    read: README, trace's limits)."""
    a, b = canonical(ours), canonical(theirs)
    assert len(a) == len(b), f"threads: runtrace {len(a)}, strace {len(b)}"
    unread = []
    for x, y in zip(a, b):
        assert [c[0] for c in x] == [c[0] for c in y], "syscall sequence differs"
        for c, d in zip(x, y):
            if c != d and c[:2] == d[:2] and c[2] is None and d[2] is not None:
                unread.append((c, d))
            else:
                assert c == d
    assert len(unread) <= unread_ok, unread


def run_golden(outdir, mode, *extra):
    acct = outdir.parent / f"account-{mode}.txt"
    p = run_rt("-o", outdir, "--call-trace", *extra, "--", workload(GOLDEN), mode, acct)
    assert p.returncode == 1, p.stdout + p.stderr
    art = artifacts_of(p)
    assert art is not None, p.stdout
    runs = sorted(art.glob("run-*"))
    assert len(runs) == 1
    account = [l.split() for l in acct.read_text().splitlines()]
    return art, runs[0], account


def log_lines(rundir):
    return (rundir / "syscalls.log").read_text().splitlines()


@requires_bpf
@pytest.mark.kernel_matrix
def test_open_missing_file_quick(outdir):
    art, rundir, account = run_golden(outdir, "open")
    (kind, tid, path, _, ret), = account
    assert kind == "openat" and path == MISSING and int(ret) == -2
    lines = log_lines(rundir)
    want = (f'[pid {int(tid):5d}] openat(AT_FDCWD, "{MISSING}", O_RDONLY|O_CLOEXEC) = -1 ENOENT '
            "(No such file or directory) <")
    assert any(want in l for l in lines), "\n".join(lines[-20:])
    assert any(f"[pid {int(tid):5d}] exit_group(1) = ?" in l for l in lines)
    assert any(f"[pid {int(tid):5d}] +++ exited with 1 +++" in l for l in lines)
    # the run's own record of it
    summary = json.loads((art / "summary.json").read_text())
    ct = summary["runs"][0]["call_trace"]
    assert ct["lost_kernel"] == 0 and ct["dropped_oldest"] == 0


@requires_bpf
def test_golden_all_against_account(outdir):
    art, rundir, account = run_golden(outdir, "all")
    lines = log_lines(rundir)
    text = "\n".join(lines)
    acc = {a[0]: a for a in account}
    main = int(acc["openat"][1])
    pid = f"[pid {main:5d}]"
    # open a missing file
    assert f'{pid} openat(AT_FDCWD, "{MISSING}", O_RDONLY|O_CLOEXEC) = -1 ENOENT' in text
    # write to stdout: the bytes and the count the workload saw returned
    n = int(acc["write"][3])
    assert f'{pid} write(1, "hello from the golden workload\\n", {n}) = {acc["write"][5]} <' in text
    # connect to a closed local port
    port = acc["connect"][2].split(":")[1]
    assert re.search(rf"{re.escape(pid)} connect\(\d+, \{{sa_family=AF_INET, sin_port=htons\({port}\), "
                     r'sin_addr=inet_addr\("127\.0\.0\.1"\)\}, 16\) = -1 ECONNREFUSED', text)
    # fork a child that exits 3
    child = int(acc["fork"][3])
    assert re.search(rf"{re.escape(pid)} clone\(.*SIGCHLD.*\) = {child} <", text)
    assert f"[pid {child:5d}] exit_group(3) = ?" in text
    assert f"[pid {child:5d}] +++ exited with 3 +++" in text
    assert re.search(rf"{re.escape(pid)} wait4\({child}, \[\{{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 3\}}\]", text)
    # threads: each thread's openat under its own tid
    threads = [a for a in account if a[0] == "thread"]
    assert len(threads) == 3
    for _, tid, path, _, ret in threads:
        assert f'[pid {int(tid):5d}] openat(AT_FDCWD, "{path}", O_RDONLY) = -1 ENOENT' in text
        assert f"[pid {int(tid):5d}] exit(0) = ?" in text
        # and its end, as strace -f shows it: right after its exit(0)
        exit_at = next(i for i, l in enumerate(lines) if f"[pid {int(tid):5d}] exit(0) = ?" in l)
        end_at = next(i for i, l in enumerate(lines)
                      if f"[pid {int(tid):5d}] +++ exited with 0 +++" in l)
        assert exit_at < end_at
    # lines are in time order
    stamps = [l[:15] for l in lines if RT_LINE.match(l)]
    assert stamps == sorted(stamps)


@requires_bpf
@pytest.mark.skipif(shutil.which("strace") is None, reason="strace not installed")
def test_golden_all_against_strace(outdir, tmp_path):
    art, rundir, _ = run_golden(outdir, "all")
    ours = from_exec_of(parse_calls(log_lines(rundir), RT_LINE), GOLDEN)
    st_out = tmp_path / "strace.txt"
    # same arguments as the traced run, so the same paths
    subprocess.run(["strace", "-f", "-o", str(st_out), workload(GOLDEN), "all",
                    str(outdir.parent / "account-all.txt")], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, check=False, timeout=60)
    theirs = from_exec_of(parse_calls(st_out.read_text().splitlines(), ST_LINE), GOLDEN)
    assert_same_calls(ours, theirs)


@requires_bpf
def test_unfinished_when_killed(outdir):
    acct = outdir.parent / "account-block.txt"
    p = run_rt("-o", outdir, "--timeout", "1", "--call-trace", "--", workload(GOLDEN), "block", acct)
    assert p.returncode == 1, p.stdout + p.stderr
    rundir = sorted(artifacts_of(p).glob("run-*"))[0]
    tid = int(acct.read_text().split()[1])
    text = "\n".join(log_lines(rundir))
    assert f"[pid {tid:5d}] pause( <unfinished ...>" in text
    assert re.search(rf"\[pid {tid:5d}\] \+\+\+ killed by SIG\w+ \+\+\+", text)


@requires_bpf
def test_json_filter_and_failed_only(outdir):
    art, rundir, account = run_golden(outdir, "all", "--call-trace=json", "-e", "trace=openat,connect")
    lines = log_lines(rundir)
    names = {CALL.match(RT_LINE.match(l).group(2)).group(1)
             for l in lines if RT_LINE.match(l) and not RT_LINE.match(l).group(2).startswith(EVENTS)}
    assert names <= {"openat", "connect"} and names == {"openat", "connect"}
    objs = [json.loads(l) for l in (rundir / "syscalls.jsonl").read_text().splitlines()]
    miss = [o for o in objs if o.get("syscall") == "openat" and f'"{MISSING}"' in o["args"]]
    assert miss and miss[0]["errno"] == "ENOENT" and miss[0]["ret"] == -2
    assert miss[0]["tid"] == int(account[0][1])

    out2 = outdir.parent / "out2"
    art, rundir, _ = run_golden(out2, "all", "--failed-syscalls-only")
    for l in log_lines(rundir):
        m = RT_LINE.match(l)
        if m and not m.group(2).startswith(EVENTS):
            assert " = -1 " in l or " = ?" in l or "unfinished" in l, l


@requires_bpf
def test_max_events_keeps_most_recent(outdir):
    art, rundir, _ = run_golden(outdir, "open", "--max-events", "20")
    lines = log_lines(rundir)
    calls = [l for l in lines if RT_LINE.match(l) and not RT_LINE.match(l).group(2).startswith(EVENTS)]
    assert len(calls) <= 20
    assert "earlier syscalls of this run are not in this log" in lines[0]
    assert "exit_group(1) = ?" in calls[-1]
    ct = json.loads((art / "summary.json").read_text())["runs"][0]["call_trace"]
    assert ct["dropped_oldest"] > 0 and ct["dropped_oldest"] + ct["kept"] <= ct["records"]


@requires_bpf
def test_large_log_complete_and_in_order(outdir, tmp_path):
    """A log of 200000 lines and more (formatted by several threads where
    there are several CPUs, written in order): every read and write dd
    counts in its own account, once each, in time order, and syscalls.jsonl
    the same calls in the same order."""
    acct = tmp_path / "dd.txt"
    p = run_rt("-o", outdir, "--call-trace=json", "--", "/bin/sh", "-c",
               f"dd if=/dev/zero of=/dev/null bs=3 count=100000 2>{acct}; exit 1")
    assert p.returncode == 1, p.stdout + p.stderr
    rundir, = sorted(artifacts_of(p).glob("run-*"))
    m = re.search(r"^(\d+)\+0 records in\n(\d+)\+0 records out", acct.read_text(), re.M)
    assert m, acct.read_text()
    lines = log_lines(rundir)
    calls = [RT_LINE.match(l) for l in lines]
    assert all(calls), [l for l in lines if not RT_LINE.match(l)][:5]
    reads = [l for l in lines if re.search(r'\] read\(0, "\\0\\0\\0", 3\) = 3 <', l)]
    writes = [l for l in lines if re.search(r'\] write\(1, "\\0\\0\\0", 3\) = 3 <', l)]
    assert (len(reads), len(writes)) == (int(m.group(1)), int(m.group(2))) == (100000, 100000)
    times = [l.split(" ", 1)[0] for l in lines]
    assert times == sorted(times)
    text_names = [CALL.match(c.group(2)).group(1) for c in calls
                  if not c.group(2).startswith(EVENTS)]
    objs = [json.loads(l) for l in (rundir / "syscalls.jsonl").read_text().splitlines()]
    assert [o["syscall"] for o in objs if "syscall" in o] == text_names


@requires_bpf
def test_successful_run_leaves_no_log(outdir):
    p = run_rt("-o", outdir, "--call-trace", "-c", "3", "--", "/bin/true")
    assert p.returncode == 0, p.stdout + p.stderr
    assert not list(outdir.rglob("syscalls.log"))


@requires_bpf
@pytest.mark.kernel_matrix
def test_batches_under_preemption_keep_order_or_count(outdir):
    """Many threads making numbered syscalls while SCHED_FIFO wakers preempt
    every CPU every 50 us (on rt kernels, tracing programs too): each
    thread's calls appear once each, in order; anything missing is what the
    run counts as lost; records that bypassed a claimed batch are counted
    (summary.json call_trace.bypassed) and still in order."""
    threads, calls = 8, 3000
    p = run_rt("-o", outdir, "--keep-all", "--call-trace=json", "-e", "trace=write",
               "--", workload("batch_stress"), threads, calls, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    art = artifacts_of(p)
    summary = json.loads((art / "summary.json").read_text())
    run = summary["runs"][0]
    ct = run["call_trace"]
    seen = defaultdict(list)
    for line in (art / run["dir"] / "syscalls.jsonl").read_text().splitlines():
        o = json.loads(line)
        if o.get("syscall") != "write" or o.get("unfinished"):
            continue
        fd = int(o["args"][0])
        if fd <= -1000:
            seen[(o["tid"], -1000 - fd)].append(int(o["args"][2]))
    assert len(seen) == threads, sorted(seen)
    missing = 0
    for key, ks in seen.items():
        assert ks == sorted(ks), f"thread {key}: out of order"
        assert len(ks) == len(set(ks)), f"thread {key}: a call twice"
        missing += calls - len(ks)
    lost = ct["lost_kernel"] + run["lost_events"]
    assert missing <= lost, (missing, ct)
    print(f"batch stress: {threads * calls - missing} of {threads * calls} calls, "
          f"{ct['bypassed']} records bypassed a claimed batch, lost {lost}")
