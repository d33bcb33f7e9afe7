# SPDX-License-Identifier: GPL-2.0-only
"""runtrace deps: the files a command read and wrote, compared with ground
truth on real commands: the issue's example (md5s from hashlib), gcc's own
dependency list (gcc -MM) and ninja rebuilding from the depfile, tar's own
listing, a workload's account of its *at calls, DVC's directory hash
recomputed here, dvc.yaml/dvc.lock read back with PyYAML; and the promises
of the command line (status, nothing written on failure or Ctrl-C, bad
input)."""
import hashlib
import json
import os
import re
import shutil
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import RT, ROOT, requires_bpf, run_rt, workload

yaml = pytest.importorskip("yaml", reason="python3-yaml (PyYAML) not installed")

EXAMPLE = ROOT / "tests" / "workloads" / "deps_example"

# The issue's test.dvc, with the md5s left as fields the test fills from
# hashlib (the issue's own values are checked against hashlib below).
ISSUE_DVC = """cmd: python3 stage.py
deps:
- path: input
  md5: {input}
- path: op.py
  md5: {op.py}
- path: stage.py
  md5: {stage.py}
outs:
- path: output
  cache: true
  md5: {output}
meta:
  created-by: runtrace
"""
ISSUE_MD5 = {"input": "77c58f04583c86f78c51df158e3f35e8",
             "op.py": "4c5e633103f9c90a7a275928c3266455",
             "stage.py": "1e0c1ae1f7d549148948a06e3237e8a3",
             "output": "40754c006b40f76c0139286da37a7971"}


def issue_dvc(sums):
    text = ISSUE_DVC
    for name, value in sums.items():
        text = text.replace("{" + name + "}", value)
    return text


def md5(path):
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def deps(*args, cwd, env=None, timeout=120):
    """runtrace deps ARGS in @cwd."""
    return run_rt("deps", *args, cwd=cwd, env=env, timeout=timeout)


def deps_json(tmp, *cmd, cwd, extra=()):
    """deps --json of @cmd run in @cwd: (CompletedProcess, parsed JSON)."""
    out = tmp / "deps.json"
    p = deps("--json", out, *extra, "--", *cmd, cwd=cwd)
    assert p.returncode == 0, p.stderr
    return p, json.loads(out.read_text())


def example_copy(tmp_path):
    d = tmp_path / "example"
    d.mkdir()
    for name in ("op.py", "stage.py", "input"):
        shutil.copy(EXAMPLE / name, d / name)
    return d


# ---- the issue's example ----------------------------------------------------

@requires_bpf
@pytest.mark.kernel_matrix
def test_issue_example_byte_for_byte(tmp_path):
    """`runtrace deps -f test.dvc -- python3 stage.py` writes the issue's
    test.dvc exactly, with whichever python3 is first on PATH (pyenv's shim
    is a bash script that execs the interpreter); run twice, the second time
    importing op from its __pycache__: the same file."""
    d = example_copy(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for round_ in (1, 2):
        p = deps("-f", "test.dvc", "--", "python3", "stage.py", cwd=d, env=env)
        assert p.returncode == 0, p.stderr
        assert p.stdout == "", "the command writes only to its file"
        assert (d / "output").read_text() == "".join(f"{i + 2}\n" for i in range(1, 8))
        sums = {n: md5(d / n) for n in ISSUE_MD5}
        assert sums == ISSUE_MD5, "the workload files are not the issue's"
        assert (d / "test.dvc").read_text() == issue_dvc(sums), round_
        assert "warning" not in p.stderr, p.stderr
    assert list((d / "__pycache__").glob("op.*.pyc")), "second run did not use the cache"


@requires_bpf
def test_stdio_and_status_pass_through(tmp_path):
    """The command reads runtrace's stdin and writes its stdout/stderr;
    deps exits with its status."""
    p = subprocess.run([RT, "deps", "--", "sh", "-c", "read x; echo out:$x; echo err >&2; exit 0"],
                       input="hello\n", capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "out:hello\n"
    assert p.stderr.startswith("err\n")


# ---- gcc and ninja ----------------------------------------------------------

def c_project(d):
    (d / "include").mkdir(parents=True)
    (d / "include" / "a.h").write_text('#include "b.h"\n#define A 1\n')
    (d / "include" / "b.h").write_text("#include <stdio.h>\n#define B 2\n")
    (d / "include" / "unused.h").write_text("#define U 3\n")
    (d / "local.h").write_text("#define L 4\n")
    (d / "main.c").write_text('#include "a.h"\n#include "local.h"\n'
                              'int main(void) { printf("%d\\n", A + B + L); return 0; }\n')


def gcc_mm(d):
    """gcc's own list of the object's inputs without system headers
    (gcc -MM), as paths relative to @d."""
    out = subprocess.run(["gcc", "-MM", "-Iinclude", "main.c"], cwd=d, check=True,
                         capture_output=True, text=True).stdout
    words = out.replace("\\\n", " ").split()
    assert words[0] == "main.o:"
    return sorted(os.path.normpath(w) for w in words[1:])


@requires_bpf
@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
def test_gcc_against_gcc_mm(tmp_path):
    """gcc -c: the inputs are gcc -MM's (the .c and the repository's
    headers, no system header), the output the .o; with --all the system
    headers gcc -M lists are there too."""
    c_project(tmp_path)
    p, j = deps_json(tmp_path, "gcc", "-Iinclude", "-c", "main.c", "-o", "main.o", cwd=tmp_path)
    assert j["inputs"] == gcc_mm(tmp_path)
    assert j["outputs"] == ["main.o"]
    assert not any(x["path"].startswith("/") for x in j["paths"])
    p, j = deps_json(tmp_path, "gcc", "-Iinclude", "-c", "main.c", "-o", "main.o", cwd=tmp_path,
                     extra=("--all",))
    full = subprocess.run(["gcc", "-M", "-Iinclude", "main.c"], cwd=tmp_path, check=True,
                          capture_output=True, text=True).stdout.replace("\\\n", " ").split()[1:]
    system = {os.path.normpath(w) for w in full if w.startswith("/")}
    assert system and system <= set(j["inputs"]), system - set(j["inputs"])
    assert "/usr/include/stdio.h" in j["inputs"]


@requires_bpf
@pytest.mark.skipif(shutil.which("gcc") is None or shutil.which("ninja") is None,
                    reason="gcc and ninja needed")
def test_ninja_rebuilds_from_the_depfile_exactly_when_a_header_changes(tmp_path):
    """ninja reads deps's depfile (deps = gcc): nothing to do after a build,
    a rebuild after a header the object includes changes, none after one
    it does not include changes."""
    c_project(tmp_path)
    (tmp_path / "build.ninja").write_text(
        "rule cc\n"
        f"  command = {RT} deps -M $out.d -- gcc -Iinclude -c $in -o $out\n"
        "  depfile = $out.d\n"
        "  deps = gcc\n"
        "build main.o: cc main.c\n")

    def ninja():
        p = subprocess.run(["ninja", "-d", "explain"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=120)
        assert p.returncode == 0, p.stdout + p.stderr
        return "no work to do" not in p.stdout

    def touch(name):
        time.sleep(0.05)  # past the object's mtime (the coarse clock's tick)
        os.utime(tmp_path / name)

    assert ninja() is True
    assert (tmp_path / "main.o").exists()
    deps_seen = subprocess.run(["ninja", "-t", "deps", "main.o"], cwd=tmp_path,
                               capture_output=True, text=True).stdout.split()
    assert sorted(x for x in deps_seen if x.endswith((".h", ".c"))) == gcc_mm(tmp_path)
    assert ninja() is False
    for header, rebuilds in (("include/b.h", True), ("include/unused.h", False),
                             ("local.h", True), ("include/a.h", True)):
        touch(header)
        assert ninja() is rebuilds, header
        assert ninja() is False, header


# ---- single commands --------------------------------------------------------

@requires_bpf
def test_sed_in_place_is_an_output_only(tmp_path):
    """sed -i reads the file and renames a new one onto it: an output only
    (DVC forbids a path in both lists), with a warning."""
    f = tmp_path / "f.txt"
    f.write_text("hello\nworld\n")
    p, j = deps_json(tmp_path, "sed", "-i", "s/hello/bye/", "f.txt", cwd=tmp_path)
    assert f.read_text() == "bye\nworld\n"
    assert j["inputs"] == [] and j["outputs"] == ["f.txt"]
    assert re.search(r"runtrace: warning: f\.txt: read, then rewritten", p.stderr), p.stderr
    e = next(x for x in j["paths"] if x["path"] == "f.txt")
    assert e["md5"] == md5(f) and e["rewritten"] is True
    # sed's temporary file is gone and listed as neither
    assert all(x["path"] == "f.txt" or "temporary" in x["class"] for x in j["paths"])


@requires_bpf
def test_temporary_file_is_neither(tmp_path):
    (tmp_path / "a").write_text("data\n")
    (tmp_path / "old").write_text("to be removed\n")
    p, j = deps_json(tmp_path, "sh", "-c", "cat a > t.tmp; sort t.tmp > out; rm t.tmp old",
                     cwd=tmp_path)
    assert j["inputs"] == ["a"] and j["outputs"] == ["out"]
    tmp = next(x for x in j["paths"] if x["path"] == "t.tmp")
    assert "temporary" in tmp["class"] and tmp["type"] == "missing"
    assert j["deleted"] == ["old"]
    assert "old: existed before the run and was deleted" in p.stderr


@requires_bpf
def test_cd_then_relative_path(tmp_path):
    """`cd sub && cat x`: the path is resolved against the shell's new
    directory, not runtrace's."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x").write_text("x\n")
    (tmp_path / "x").write_text("decoy\n")
    p, j = deps_json(tmp_path, "sh", "-c", "cd sub && cat x && cat ../sub/./x", cwd=tmp_path)
    assert p.stdout == "x\nx\n"
    assert j["inputs"] == ["sub/x"] and j["outputs"] == []


@requires_bpf
def test_directory_descriptors_against_the_workloads_account(tmp_path):
    """openat(dirfd, ...), a dup'd dirfd, a forked child using it, renameat
    into place, a symlink, fchdir: the workload says what it read and wrote."""
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    for i in range(1, 5):
        (data / f"in{i}").write_text(f"in{i}\n")
    (data / "link").symlink_to("in1")
    p, j = deps_json(tmp_path, workload("deps_at"), cwd=tmp_path)
    said = [line.split(" ", 1) for line in p.stdout.splitlines()]
    assert j["inputs"] == sorted(path for kind, path in said if kind == "in")
    assert j["outputs"] == sorted(path for kind, path in said if kind == "out")
    final = next(x for x in j["paths"] if x["path"] == "data/final")
    assert final["renamed_from"] == ["data/tmp.part"]
    # the child's file was opened by the child, not by the parent
    child = next(x for x in j["paths"] if x["path"] == "data/child.out")
    parent = next(x for x in j["paths"] if x["path"] == "data/in1")
    assert child["pids"] != parent["pids"]


@requires_bpf
def test_pipeline_of_processes(tmp_path):
    """sh -c 'cat a | sort > b': cat reads a, the shell's child that becomes
    sort writes b."""
    (tmp_path / "a").write_text("b\na\n")
    p, j = deps_json(tmp_path, "sh", "-c", "cat a | sort > b", cwd=tmp_path)
    assert (tmp_path / "b").read_text() == "a\nb\n"
    assert j["inputs"] == ["a"] and j["outputs"] == ["b"]
    by = {x["path"]: x for x in j["paths"]}
    assert len(by["a"]["pids"]) == 1 and len(by["b"]["pids"]) == 1
    assert by["a"]["pids"] != by["b"]["pids"]
    assert by["b"]["md5"] == md5(tmp_path / "b")


@requires_bpf
def test_long_run_fed_as_it_goes(tmp_path):
    """A run longer than the sink's lag: the model is fed in parts while the
    command runs (a busy process that never sleeps between its opens, a
    rename after a pause); the result is the same as all at once."""
    (tmp_path / "a").write_text("a\n")
    script = ("import os, time\n"
              "open('a').read()\n"
              "open('b', 'w').write('b')\n"
              "end = time.monotonic() + 1.5\n"
              "while time.monotonic() < end: pass\n"
              "os.rename('b', 'c')\n"
              "open('d', 'w').write(open('c').read())\n")
    (tmp_path / "w.py").write_text(script)
    p, j = deps_json(tmp_path, "sh", "-c", "/usr/bin/python3 w.py && sleep 0.7 && cat d > e",
                     cwd=tmp_path)
    assert j["inputs"] == ["a", "w.py"]
    assert j["outputs"] == ["c", "d", "e"]
    b = next(x for x in j["paths"] if x["path"] == "b")
    assert b["renamed_to"] == ["c"] and b["type"] == "missing"


def dvc_dir_md5(d):
    """DVC's directory hash (dvc_data/hashfile/tree.py), recomputed."""
    files = sorted(p for p in Path(d).rglob("*") if p.is_file())
    entries = [{"md5": md5(p), "relpath": p.relative_to(d).as_posix()} for p in files]
    text = json.dumps(sorted(entries, key=lambda e: e["relpath"]), sort_keys=True)
    return hashlib.md5(text.encode()).hexdigest() + ".dir"


@requires_bpf
def test_directory_output(tmp_path):
    """mkdir out && cp a b out/: one DVC directory out with DVC's .dir md5;
    with --files, its files."""
    (tmp_path / "a").write_text("a\n")
    (tmp_path / "b").write_text("b\n")
    p = deps("-f", "s.dvc", "--", "sh", "-c", "mkdir out && cp a b out/", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    s = yaml.safe_load((tmp_path / "s.dvc").read_text())
    assert [x["path"] for x in s["deps"]] == ["a", "b"]
    assert s["outs"] == [{"path": "out", "cache": True, "md5": dvc_dir_md5(tmp_path / "out")}]
    shutil.rmtree(tmp_path / "out")
    p, j = deps_json(tmp_path, "sh", "-c", "mkdir out && cp a b out/", cwd=tmp_path,
                     extra=("--files",))
    assert j["outputs"] == ["out/a", "out/b"]


@requires_bpf
def test_tar_against_its_own_listing(tmp_path):
    """tar czf: every file tar says it archived is an input, the archive
    the one output."""
    src = tmp_path / "tree"
    for i in range(30):
        f = src / f"d{i % 4}" / f"f{i}.txt"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(f"{i}\n" * (i + 1))
    p, j = deps_json(tmp_path, "tar", "czf", "t.tgz", "tree", cwd=tmp_path)
    listed = subprocess.run(["tar", "tzf", "t.tgz"], cwd=tmp_path, check=True,
                            capture_output=True, text=True).stdout.split()
    assert j["inputs"] == sorted(x for x in listed if not x.endswith("/"))
    assert j["outputs"] == ["t.tgz"]


@requires_bpf
def test_spaces_and_non_ascii_names(tmp_path):
    """Names with spaces and non-ASCII letters: in the DVC file (PyYAML),
    the JSON, and a depfile ninja reads (a change of the input rebuilds)."""
    src, dst = "my data.txt", "résumé ü #1.csv"
    (tmp_path / src).write_text("1 2\n")
    cmd = ["sh", "-c", f"tr ' ' , < '{src}' > '{dst}'"]
    p = deps("-f", "s.dvc", "--json", "s.json", "--", *cmd, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    s = yaml.safe_load((tmp_path / "s.dvc").read_text())
    assert s["cmd"] == shlex.join(cmd) and shlex.split(s["cmd"]) == cmd
    assert s["deps"] == [{"path": src, "md5": md5(tmp_path / src)}]
    assert s["outs"] == [{"path": dst, "cache": True, "md5": md5(tmp_path / dst)}]
    j = json.loads((tmp_path / "s.json").read_text())
    assert j["inputs"] == [src] and j["outputs"] == [dst]
    if shutil.which("ninja") is None:
        return
    esc = dst.replace(" ", "$ ").replace(":", "$:")
    (tmp_path / "build.ninja").write_text(
        "rule t\n"
        f"  command = {RT} deps -M out.d -- sh -c \"tr ' ' , < '{src}' > '{dst}'\"\n"
        "  depfile = out.d\n"
        f"build {esc}: t\n")
    os.unlink(tmp_path / dst)

    def ninja():
        q = subprocess.run(["ninja"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert q.returncode == 0, q.stdout + q.stderr
        return "no work to do" not in q.stdout

    assert ninja() is True and ninja() is False
    time.sleep(0.05)
    os.utime(tmp_path / src)
    assert ninja() is True and ninja() is False


# ---- DVC pipelines ---------------------------------------------------------

OTHER_YAML = """stages:
  other:
    cmd: python3 other.py
    deps:
    - other.py
    outs:
    - other.out:
        cache: false
    always_changed: true
"""
OTHER_LOCK = """schema: '2.0'
stages:
  other:
    cmd: python3 other.py
    deps:
    - path: other.py
      hash: md5
      md5: 0cc175b9c0f1b6a831c399e269772661
      size: 1
    outs:
    - path: other.out
      hash: md5
      md5: 92eb5ffee6ae2fec3ad71c777531578f
      size: 1
"""


@requires_bpf
def test_dvc_stage_updates_one_stage(tmp_path):
    """--dvc-stage adds the stage to dvc.yaml and dvc.lock and, run again
    after a change, updates it; the other stage stays as it was."""
    d = example_copy(tmp_path)
    (d / "dvc.yaml").write_text(OTHER_YAML)
    (d / "dvc.lock").write_text(OTHER_LOCK)
    before_y, before_l = yaml.safe_load(OTHER_YAML), yaml.safe_load(OTHER_LOCK)
    for round_ in (1, 2):
        if round_ == 2:
            (d / "input").write_text("10\n20\n")
        p = deps("--dvc-stage", "example", "--", "python3", "stage.py", cwd=d)
        assert p.returncode == 0, p.stderr
        y = yaml.safe_load((d / "dvc.yaml").read_text())
        lock = yaml.safe_load((d / "dvc.lock").read_text())
        assert list(y["stages"]) == ["other", "example"]
        assert y["stages"]["other"] == before_y["stages"]["other"]
        assert y["stages"]["example"] == {"cmd": "python3 stage.py",
                                          "deps": ["input", "op.py", "stage.py"],
                                          "outs": ["output"]}
        assert lock["schema"] == "2.0"
        assert lock["stages"]["other"] == before_l["stages"]["other"]
        ex = lock["stages"]["example"]
        assert ex["cmd"] == "python3 stage.py"
        assert ex["deps"] == [{"path": n, "hash": "md5", "md5": md5(d / n),
                               "size": (d / n).stat().st_size}
                              for n in ("input", "op.py", "stage.py")]
        assert ex["outs"] == [{"path": "output", "hash": "md5", "md5": md5(d / "output"),
                               "size": (d / "output").stat().st_size}]


@requires_bpf
@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_run_below_the_root(tmp_path):
    """In a subdirectory of a git repository: the root is the top level;
    the stage runs in the subdirectory (wdir), its paths from there, as
    DVC reads them; the depfile's paths are from where make would run."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    d = tmp_path / "sub"
    d.mkdir()
    for name in ("op.py", "stage.py", "input"):
        shutil.copy(EXAMPLE / name, d / name)
    (tmp_path / "shared.txt").write_text("shared\n")
    cmd = ["sh", "-c", "python3 stage.py && cat ../shared.txt > copy.txt"]
    p = deps("-f", "../top.dvc", "-M", "s.d", "--dvc-stage", "ex", "--json", "j.json", "--",
             *cmd, cwd=d)
    assert p.returncode == 0, p.stderr
    j = json.loads((d / "j.json").read_text())
    assert j["root"] == str(tmp_path)
    assert j["inputs"] == ["shared.txt", "sub/input", "sub/op.py", "sub/stage.py"]
    assert j["outputs"] == ["sub/copy.txt", "sub/output"]
    top = yaml.safe_load((tmp_path / "top.dvc").read_text())
    assert top["wdir"] == "sub"
    assert [x["path"] for x in top["deps"]] == ["../shared.txt", "input", "op.py", "stage.py"]
    assert [x["path"] for x in top["outs"]] == ["copy.txt", "output"]
    y = yaml.safe_load((tmp_path / "dvc.yaml").read_text())
    assert y["stages"]["ex"] == {"cmd": shlex.join(cmd), "wdir": "sub",
                                 "deps": ["../shared.txt", "input", "op.py", "stage.py"],
                                 "outs": ["copy.txt", "output"]}
    lock = yaml.safe_load((tmp_path / "dvc.lock").read_text())
    assert [(x["path"], x["md5"]) for x in lock["stages"]["ex"]["deps"]] == \
        [(n, md5(d / n)) for n in ("../shared.txt", "input", "op.py", "stage.py")]
    words = (d / "s.d").read_text().replace("\\\n", " ").split()
    assert words == ["copy.txt", "output:", "../shared.txt", "input", "op.py", "stage.py"]


# ---- failure, interruption, bad input ----------------------------------------

@requires_bpf
def test_failed_command_writes_nothing_unless_keep_failed(tmp_path):
    (tmp_path / "a").write_text("a\n")
    cmd = ["sh", "-c", "cat a > b; exit 3"]
    p = deps("-f", "s.dvc", "-M", "s.d", "--json", "s.json", "--", *cmd, cwd=tmp_path)
    assert p.returncode == 3
    assert "nothing written" in p.stderr
    assert not any((tmp_path / n).exists() for n in ("s.dvc", "s.d", "s.json"))
    p = deps("--keep-failed", "-f", "s.dvc", "--", *cmd, cwd=tmp_path)
    assert p.returncode == 3, p.stderr
    s = yaml.safe_load((tmp_path / "s.dvc").read_text())
    assert [x["path"] for x in s["deps"]] == ["a"]
    assert [x["path"] for x in s["outs"]] == ["b"]
    p = deps("-f", "k.dvc", "--", "sh", "-c", "kill -TERM $$", cwd=tmp_path)
    assert p.returncode == 128 + signal.SIGTERM
    assert not (tmp_path / "k.dvc").exists()


def link_exists(link_id):
    return subprocess.run(["bpftool", "link", "show", "id", str(link_id)],
                          capture_output=True).returncode == 0


def bpf_link_ids(pid):
    ids = set()
    for fd in Path(f"/proc/{pid}/fdinfo").iterdir():
        try:
            m = re.search(r"^link_id:\s*(\d+)", fd.read_text(), re.M)
        except OSError:
            continue
        if m:
            ids.add(int(m.group(1)))
    return ids


@requires_bpf
def test_interrupt_kills_the_tree_and_writes_nothing(tmp_path):
    """Ctrl-C: the command's processes (one ignoring SIGINT) are gone, no
    file is written, no BPF link is left; status 128+SIGINT."""
    rt = subprocess.Popen([RT, "deps", "-f", "s.dvc", "--", "sh", "-c",
                           "trap '' INT; cat /etc/hostname > copy; touch started; "
                           "sleep 61.25 & sleep 61.25; wait"],
                          cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    end = time.monotonic() + 20
    while not (tmp_path / "started").exists() and time.monotonic() < end:
        time.sleep(0.02)
    assert (tmp_path / "started").exists()
    links = bpf_link_ids(rt.pid)
    assert links
    rt.send_signal(signal.SIGINT)
    assert rt.wait(timeout=15) == 128 + signal.SIGINT
    assert "interrupted: nothing written" in rt.stderr.read()
    assert not (tmp_path / "s.dvc").exists()
    assert not any(link_exists(i) for i in links)
    left = subprocess.run(["pgrep", "-f", "sleep 61.25"], capture_output=True, text=True).stdout
    assert not left.strip()


def test_no_command():
    p = run_rt("deps", "-f", "x.dvc", timeout=30)
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and "no command" in p.stderr


@requires_bpf
@pytest.mark.parametrize("args,status,needle", [
    (["-f", "/nonexistent-dir/x.dvc"], 3, "cannot write /nonexistent-dir/x.dvc"),
    (["-M", "."], 3, "Is a directory"),
    (["--root", "/nonexistent-root"], 2, "--root /nonexistent-root"),
    (["--dvc-stage", "a:b"], 2, "invalid --dvc-stage"),
])
def test_bad_input_runs_nothing(tmp_path, args, status, needle):
    """Bad input: one line, the status, and the command never ran."""
    p = deps(*args, "--", "touch", "ran", cwd=tmp_path, timeout=30)
    assert p.returncode == status, p.stderr
    assert p.stderr.count("\n") == 1 and needle in p.stderr, p.stderr
    assert not (tmp_path / "ran").exists()


@requires_bpf
def test_command_not_found(tmp_path):
    p = deps("--", "no-such-command-here", cwd=tmp_path, timeout=30)
    assert p.returncode == 127
    assert p.stderr.count("\n") == 1 and "no-such-command-here" in p.stderr


def test_help():
    p = run_rt("deps", "-h", timeout=30)
    assert p.returncode == 0 and "Exit status" in p.stdout and "--dvc-stage" in p.stdout
