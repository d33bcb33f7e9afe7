# SPDX-License-Identifier: GPL-2.0-only
"""Shared fixtures of the integration tests: they run the real runtrace binary.

RUNTRACE=/path/to/runtrace selects the binary (default: build/runtrace).
Tests that need BPF carry @requires_bpf and are skipped, with the reason,
where runtrace cannot load BPF programs (not root, no BTF).
Tests marked @pytest.mark.kernel_matrix form the subset that tools/kernel-matrix
runs inside each guest kernel; it must exercise every BPF program runtrace loads.
"""
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RT = os.environ.get("RUNTRACE", str(ROOT / "build" / "runtrace"))
WORKLOADS = Path(os.environ.get("RUNTRACE_WORKLOADS", str(Path(RT).parent / "tests" / "workloads")))


def _bpf_skip_reason():
    if os.geteuid() != 0:
        return "needs root (BPF, cgroups)"
    if not os.path.exists("/sys/kernel/btf/vmlinux"):
        return "kernel has no BTF (/sys/kernel/btf/vmlinux)"
    return None


BPF_SKIP = _bpf_skip_reason()
requires_bpf = pytest.mark.skipif(BPF_SKIP is not None, reason=BPF_SKIP or "")


def pytest_configure(config):
    config.addinivalue_line("markers", "kernel_matrix: run inside every kernel of tools/kernel-matrix")
    config.addinivalue_line("markers", "slow: long-running (skipped in the ASan pass of tools/test)")


def run_rt(*args, timeout=300, env=None, cwd=None, **kw):
    """Run runtrace with @args; returns CompletedProcess with text stdout/stderr."""
    return subprocess.run([RT, *map(str, args)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=cwd, **kw)


def artifacts_of(proc):
    """The artifacts directory named by the closing summary, or None."""
    m = re.search(r"^artifacts: (.+?)/?$", proc.stdout, re.M)
    if not m or m.group(1).startswith("none"):
        return None
    return Path(m.group(1))


def workload(name):
    """Path of a compiled test workload (tests/workloads/NAME.c)."""
    p = WORKLOADS / name
    if not p.exists():
        pytest.fail(f"workload {p} not built (meson builds tests/workloads)")
    return str(p)


@pytest.fixture
def outdir(tmp_path):
    """A fresh base directory for -o."""
    return tmp_path / "out"
