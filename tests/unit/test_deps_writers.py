#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The outputs of src/files/ read back by real consumers, no kernel needed.

tests/unit/deps_replay replays file operations through the model, the view
over the real file system, the md5s (libmd) and the writers; here:
- md5 against hashlib; DVC's directory hash against an implementation
  written here from dvc-data's Tree.digest (dvc_data/hashfile/tree.py:
  json.dumps of the sorted {"md5", "relpath"} list, sort_keys=True, UTF-8,
  md5, ".dir"; files as dvc_objects/fs/local.py's os.walk finds them, minus
  DVC's default ignores .git, .hg/, .dvc/ from dvc/ignore.py);
- the .dvc file, dvc.yaml and dvc.lock read back with PyYAML (python3-yaml);
- the depfile consumed by ninja (depfile = with and without deps = gcc),
  which must rebuild exactly when a listed header changes;
- the issue's example: its files' md5s, its stage file byte for byte.

Usage: test_deps_writers.py DEPS_REPLAY [unittest args]
"""
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

try:
    import yaml
except ImportError:
    print("SKIP: PyYAML is not installed (python3-yaml)")
    sys.exit(77)  # meson: skipped

TOOL = os.path.abspath(sys.argv.pop(1))
HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "workloads", "deps_example")

# The md5s the issue gives for its example (the prototype's own).
ISSUE_MD5 = {
    "input": "77c58f04583c86f78c51df158e3f35e8",
    "op.py": "4c5e633103f9c90a7a275928c3266455",
    "stage.py": "1e0c1ae1f7d549148948a06e3237e8a3",
    "output": "40754c006b40f76c0139286da37a7971",
}
ISSUE_DVC = """cmd: python3 stage.py
deps:
- path: input
  md5: 77c58f04583c86f78c51df158e3f35e8
- path: op.py
  md5: 4c5e633103f9c90a7a275928c3266455
- path: stage.py
  md5: 1e0c1ae1f7d549148948a06e3237e8a3
outs:
- path: output
  cache: true
  md5: 40754c006b40f76c0139286da37a7971
meta:
  created-by: runtrace
"""


def md5_of(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def dvc_dir_hash(top):
    """DVC's hash of directory @top, written from dvc-data's algorithm."""
    entries, size = [], 0
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if d not in (".git", ".hg", ".dvc")]
        for name in filenames:
            full = os.path.join(dirpath, name)
            if name == ".git" or not os.path.exists(full):
                continue
            entries.append({"md5": md5_of(full),
                            "relpath": os.path.relpath(full, top).replace(os.sep, "/")})
            size += os.path.getsize(full)
    entries.sort(key=lambda e: e["relpath"])
    text = json.dumps(entries, sort_keys=True).encode("utf-8")
    return hashlib.md5(text).hexdigest() + ".dir", len(entries), size


def replay(root, ops, *opts, check=True):
    args = [TOOL, "run", "--root", root, "--cwd", root, "--start", "0"]
    args += list(opts) + ["--"] + list(ops)
    r = subprocess.run(args, capture_output=True, text=True)
    if check and r.returncode:
        raise AssertionError("deps_replay failed: %s\n%s" % (args, r.stderr))
    return r


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="deps-writers-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def p(self, *parts):
        return os.path.join(self.dir, *parts)


class Example(Base):
    def test_workload_files_are_the_issues(self):
        for name in ("input", "op.py", "stage.py"):
            self.assertEqual(md5_of(os.path.join(EXAMPLE, name)), ISSUE_MD5[name], name)

    def test_stage_file_byte_for_byte(self):
        for name in ("input", "op.py", "stage.py"):
            shutil.copy(os.path.join(EXAMPLE, name), self.dir)
        subprocess.run(["/usr/bin/python3", "stage.py"], cwd=self.dir, check=True)
        self.assertEqual(md5_of(self.p("output")), ISSUE_MD5["output"])
        with open(self.p("output")) as f:
            self.assertEqual(f.read(), "".join("%d\n" % (i + 2) for i in range(1, 8)))
        cmd = subprocess.run([TOOL, "cmdline", "python3", "stage.py"], capture_output=True,
                             text=True, check=True).stdout.strip()
        replay(self.dir, ["x:/usr/bin/python3", "r:stage.py", "r:op.py", "r:input", "w:output"],
               "--cmd", cmd, "-f", self.p("test.dvc"))
        with open(self.p("test.dvc")) as f:
            text = f.read()
        self.assertEqual(text, ISSUE_DVC)
        self.assertEqual(yaml.safe_load(text), {
            "cmd": "python3 stage.py",
            "deps": [{"path": n, "md5": ISSUE_MD5[n]} for n in ("input", "op.py", "stage.py")],
            "outs": [{"path": "output", "cache": True, "md5": ISSUE_MD5["output"]}],
            "meta": {"created-by": "runtrace"}})

    def test_cmdline_is_shlex_join(self):
        argv = ["sh", "-c", "cat a | sort > b", "it's", "", "x=1,y@2%:./-_", "é", "a\tb"]
        out = subprocess.run([TOOL, "cmdline"] + argv, capture_output=True, text=True,
                             check=True).stdout
        self.assertEqual(out, shlex.join(argv) + "\n")


class Md5(Base):
    def test_against_hashlib(self):
        sizes = [0, 1, 55, 56, 64, 65535, 65536, 65537, 3 * 65536 + 7, 1 << 20]
        for n in sizes:
            path = self.p("f%d" % n)
            write(path, os.urandom(n))
            out = subprocess.run([TOOL, "md5", path], capture_output=True, text=True,
                                 check=True).stdout.split()
            self.assertEqual(out, [md5_of(path), str(n)], n)


class DirHash(Base):
    def tree(self):
        top = self.p("data")
        files = {
            b"a b.txt": b"space\n", b"a-b": b"dash", b"a.b": b"dot", b"a/b": b"slash",
            "sub/\xe9t\xe9.txt".encode(): b"accent", "sub/\U0001f600.bin".encode(): b"\x00\x01",
            "CJK \u6f22\u5b57".encode(): b"han", b'quote"s': b"q", b"back\\slash": b"b",
            b"new\nline": b"n", b"tab\tname": b"t", b"ctl\x01": b"c", b"del\x7f": b"d",
            b"bad\xff\xfe.bin": b"not utf-8", b"d1/d2/d3/deep": b"deep", b"empty": b"",
            b".git/config": b"skipped", b".dvc/cache": b"skipped", b".hg/x": b"skipped",
            b"sub/.git": b"a .git file: skipped too", b".hgfile": b"kept",
            b"x/.dvc": b"a file: kept",
        }
        for rel, data in files.items():
            write(os.path.join(os.fsencode(top), rel), data)
        os.makedirs(os.path.join(top, "emptydir"))
        os.symlink("a b.txt", os.path.join(top, "link_to_file"))
        os.symlink("sub", os.path.join(top, "link_to_dir"))
        os.symlink("nowhere", os.path.join(top, "dangling"))
        return top

    def check(self, top):
        out = subprocess.run([TOOL, "dirhash", top], capture_output=True, text=True,
                             check=True).stdout.split()
        want = dvc_dir_hash(top)
        self.assertEqual(out, [want[0], str(want[1]), str(want[2])])
        return want

    def test_against_dvc_algorithm(self):
        want = self.check(self.tree())
        self.assertEqual(want[1], 19)

    def test_empty(self):
        os.makedirs(self.p("e"))
        self.assertEqual(self.check(self.p("e"))[0], hashlib.md5(b"[]").hexdigest() + ".dir")


class DvcYaml(Base):
    def setUp(self):
        super().setUp()
        write(self.p("in put.csv"), "1,2\n")
        write(self.p("train.py"), "#!/bin/sh\n")
        os.chmod(self.p("train.py"), 0o755)
        write(self.p("model.bin"), b"\x00model")
        write(self.p("out", "a"), "a")
        write(self.p("out", "sub", "b"), "b")
        self.ops = ["r:in put.csv", "x:train.py", "mkdir:out", "w:out/a", "mkdir:out/sub",
                    "w:out/sub/b", "w:model.bin"]

    def load(self, name):
        with open(self.p(name)) as f:
            return yaml.safe_load(f)

    def lock_entry(self, path, isexec=False):
        e = {"path": path, "hash": "md5"}
        full = self.p(path)
        if os.path.isdir(full):
            e["md5"], e["nfiles"], size = dvc_dir_hash(full)
            e["size"] = size
            return {"path": path, "hash": "md5", "md5": e["md5"], "size": size,
                    "nfiles": e["nfiles"]}
        e["md5"] = md5_of(full)
        e["size"] = os.path.getsize(full)
        if isexec:
            e["isexec"] = True
        return e

    def test_new_files(self):
        replay(self.dir, self.ops, "--cmd", "./train.py 'in put.csv'", "--dvc-stage", "train")
        self.assertEqual(self.load("dvc.yaml"), {"stages": {"train": {
            "cmd": "./train.py 'in put.csv'", "deps": ["in put.csv", "train.py"],
            "outs": ["model.bin", "out"]}}})
        lock = self.load("dvc.lock")
        self.assertEqual(lock, {"schema": "2.0", "stages": {"train": {
            "cmd": "./train.py 'in put.csv'",
            "deps": [self.lock_entry("in put.csv"), self.lock_entry("train.py", True)],
            "outs": [self.lock_entry("model.bin"), self.lock_entry("out")]}}})
        # key order as DVC writes it
        st = lock["stages"]["train"]
        self.assertEqual(list(st), ["cmd", "deps", "outs"])
        self.assertEqual(list(st["deps"][1]), ["path", "hash", "md5", "size", "isexec"])
        self.assertEqual(list(st["outs"][1]), ["path", "hash", "md5", "size", "nfiles"])
        with open(self.p("dvc.lock")) as f:
            self.assertTrue(f.read().startswith("schema: '2.0'\nstages:\n"))

    def test_update_keeps_other_stages(self):
        old_yaml = """stages:
  prepare:
    cmd: python prep.py
    wdir: .
    deps:
    - raw
    params:
    - prep.seed
    outs:
    - prepared:
        cache: false
    frozen: true
  train:
    desc: Train the model
    cmd: old command
    params:
    - lr
    outs:
    - model.bin:
        cache: false
        persist: true
    - stale.out
    meta:
      owner: me
plots:
- metrics.json
"""
        old_lock = """schema: '2.0'
stages:
  prepare:
    cmd: python prep.py
    deps:
    - path: raw
      hash: md5
      md5: 0123456789abcdef0123456789abcdef
      size: 3
    outs:
    - path: prepared
      hash: md5
      md5: 11111111111111111111111111111111
      size: 7
  train:
    cmd: old command
    outs:
    - path: stale.out
      hash: md5
      md5: 22222222222222222222222222222222
      size: 1
"""
        write(self.p("dvc.yaml"), old_yaml)
        write(self.p("dvc.lock"), old_lock)
        before_y, before_l = yaml.safe_load(old_yaml), yaml.safe_load(old_lock)
        replay(self.dir, self.ops, "--cmd", "python train.py", "--dvc-stage", "train")
        y, lock = self.load("dvc.yaml"), self.load("dvc.lock")
        self.assertEqual(y["stages"]["prepare"], before_y["stages"]["prepare"])
        self.assertEqual(y["plots"], before_y["plots"])
        self.assertEqual(list(y), ["stages", "plots"])
        self.assertEqual(list(y["stages"]), ["prepare", "train"])
        # train: cmd, deps, outs replaced; desc, params, meta and the options
        # of an out still produced kept; deps placed where DVC puts it
        self.assertEqual(y["stages"]["train"], {
            "desc": "Train the model", "cmd": "python train.py",
            "deps": ["in put.csv", "train.py"], "params": ["lr"],
            "outs": [{"model.bin": {"cache": False, "persist": True}}, "out"],
            "meta": {"owner": "me"}})
        self.assertEqual(list(y["stages"]["train"]), ["desc", "cmd", "deps", "params", "outs", "meta"])
        self.assertEqual(lock["schema"], "2.0")
        self.assertEqual(lock["stages"]["prepare"], before_l["stages"]["prepare"])
        self.assertEqual(lock["stages"]["train"]["cmd"], "python train.py")
        self.assertEqual(lock["stages"]["train"]["outs"],
                         [self.lock_entry("model.bin"), self.lock_entry("out")])
        # a second update changes nothing more
        with open(self.p("dvc.yaml")) as f1, open(self.p("dvc.lock")) as f2:
            first = (f1.read(), f2.read())
        replay(self.dir, self.ops, "--cmd", "python train.py", "--dvc-stage", "train")
        with open(self.p("dvc.yaml")) as f1, open(self.p("dvc.lock")) as f2:
            self.assertEqual((f1.read(), f2.read()), first)

    def test_files_option_lists_the_files(self):
        replay(self.dir, self.ops, "--files", "--dvc-stage", "s")
        self.assertEqual(self.load("dvc.yaml")["stages"]["s"]["outs"],
                         ["model.bin", "out/a", "out/sub/b"])

    def test_strings_that_look_like_other_types(self):
        names = ["true", "123", "1e5", "null", "~", "2024-01-02", "on", "0x1F", "0o17", "1_000",
                 ".5", "-", "<<", "=", "@at", "#hash", "a: b", "'q'", "é t", "12:30"]
        for n in names:
            write(self.p(n), n)
        replay(self.dir, ["r:" + n for n in names], "--cmd", "true", "--dvc-stage", "s",
               "-f", self.p("s.dvc"))
        self.assertEqual(self.load("dvc.yaml")["stages"]["s"],
                         {"cmd": "true", "deps": sorted(names, key=os.fsencode)})
        self.assertEqual([d["path"] for d in self.load("s.dvc")["deps"]],
                         sorted(names, key=os.fsencode))
        for d in self.load("dvc.lock")["stages"]["s"]["deps"]:
            self.assertIsInstance(d["md5"], str)
            self.assertEqual(d["md5"], md5_of(self.p(d["path"])))

    def test_bad_existing_files(self):
        write(self.p("dvc.yaml"), "stages: [unclosed\n")
        r = replay(self.dir, self.ops, "--dvc-stage", "s", check=False)
        self.assertEqual(r.returncode, 3)
        self.assertRegex(r.stderr, r"runtrace: .*/dvc.yaml:\d+:\d+: ")
        write(self.p("dvc.yaml"), "")
        write(self.p("dvc.lock"), "train:\n  cmd: x\n")
        r = replay(self.dir, self.ops, "--dvc-stage", "s", check=False)
        self.assertEqual(r.returncode, 3)
        self.assertIn("DVC 1", r.stderr)
        r = replay(self.dir, self.ops, "--dvc-stage", "a:b", check=False)
        self.assertIn("invalid stage name", r.stderr)


class Json(Base):
    def test_report(self):
        write(self.p("in"), "x")
        write(self.p("kept"), "k")
        ops = ["r:in", "w:tmp", "rm:tmp", "w:part", "mv:part:final", "rm:gone", "r:kept",
               "w:kept"]
        write(self.p("final"), "f")
        write(self.p("kept"), "k2")
        replay(self.dir, ops, "--cmd", "c", "--json", self.p("r.json"))
        with open(self.p("r.json")) as f:
            r = json.load(f)
        self.assertEqual(r["root"], os.path.realpath(self.dir))
        self.assertEqual(r["inputs"], ["in"])
        self.assertEqual(r["outputs"], ["final", "kept"])
        self.assertEqual(r["deleted"], ["gone"])
        byp = {e["path"]: e for e in r["paths"]}
        self.assertEqual([e["path"] for e in r["paths"]], sorted(byp))
        self.assertEqual(byp["in"]["md5"], md5_of(self.p("in")))
        self.assertEqual(byp["in"]["size"], 1)
        self.assertEqual(byp["tmp"]["class"], ["written", "temporary"])
        self.assertEqual(byp["part"]["renamed_to"], ["final"])
        self.assertEqual(byp["final"]["renamed_from"], ["part"])
        self.assertEqual(byp["gone"]["class"], ["deleted"])
        self.assertEqual(byp["gone"]["type"], "missing")
        self.assertTrue(byp["kept"]["rewritten"])
        self.assertEqual(byp["kept"]["pids"], [4242])
        self.assertEqual(len(r["warnings"]), 2)

    def test_names_any_bytes(self):
        names = [b"caf\xc3\xa9 \"q\"\\", b"bad\xff\xfe", b"ctl\x01\x7f\n", b"\xf0\x9f\x98\x80",
                 b"\xe2\x82"]
        for n in names:
            write(os.path.join(os.fsencode(self.dir), n), b"x")
        args = [TOOL, "run", "--root", self.dir, "--cwd", self.dir, "--start", "0", "--json",
                self.p("r.json"), "--"] + [b"r:" + n for n in names]
        subprocess.run(args, check=True)
        with open(self.p("r.json"), "rb") as f:
            r = json.loads(f.read().decode("utf-8"))
        self.assertEqual(sorted(os.fsencode(p) for p in r["inputs"]), sorted(names))


@unittest.skipUnless(shutil.which("ninja"), "ninja is not installed (ninja-build)")
class NinjaDepfile(Base):
    HEADERS = ["inc/a.h", "inc/my header.h", "inc/\xe9t\xe9.h", "inc/d$x#y.h"]

    def setUp(self):
        super().setUp()
        write(self.p("main.c"), "int main(void) { return 0; }\n")
        write(self.p("unrelated.h"), "\n")
        for h in self.HEADERS:
            write(self.p(h), "/* %s */\n" % h)
        ops = " ".join(shlex.quote("r:" + h) for h in ["main.c"] + self.HEADERS)
        # the "compiler": copies its input, and writes the depfile through
        # the writer under test, as `runtrace deps -M` will
        write(self.p("gen.sh"), "set -e\ncp \"$1\" \"$2\"\n%s run --root %s --cwd %s --start 0 "
              "-M \"$2.d\" -- %s \"w:$2\"\n" % (shlex.quote(TOOL), shlex.quote(self.dir),
                                              shlex.quote(self.dir), ops))

    def ninja(self, *args):
        r = subprocess.run(["ninja", "-C", self.dir] + list(args), capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout

    def touch(self, rel):
        # now, and later than the last build even with coarse timestamps
        time.sleep(0.05)
        os.utime(self.p(rel))

    def rebuilds(self):
        return "no work to do" not in self.ninja()

    def run_case(self, deps_gcc):
        write(self.p("build.ninja"), "rule gen\n  command = sh gen.sh $in $out\n"
              "  depfile = $out.d\n%s\nbuild out.o: gen main.c\n"
              % ("  deps = gcc\n" if deps_gcc else ""))
        self.assertTrue(self.rebuilds())
        self.assertFalse(self.rebuilds())
        for h in self.HEADERS:
            self.touch(h)
            self.assertTrue(self.rebuilds(), h)
            self.assertFalse(self.rebuilds(), h)
        self.touch("unrelated.h")
        self.assertFalse(self.rebuilds())
        self.touch("main.c")
        self.assertTrue(self.rebuilds())

    def test_depfile(self):
        self.run_case(False)
        with open(self.p("out.o.d"), encoding="utf-8") as f:
            self.assertTrue(f.read().startswith("out.o: \\\n"))

    def test_deps_gcc(self):
        self.run_case(True)
        deps = self.ninja("-t", "deps").splitlines()
        self.assertRegex(deps[0], r"^out\.o: #deps 5, deps mtime \d+ \(VALID\)$")
        self.assertEqual(sorted(d.strip() for d in deps[1:] if d.strip()),
                         sorted(["main.c"] + self.HEADERS))


@unittest.skipUnless(shutil.which("make"), "make is not installed")
class MakeDepfile(Base):
    def test_make_reads_it(self):
        write(self.p("main.c"), "x\n")
        write(self.p("inc/my header.h"), "h\n")
        write(self.p("inc/d$x#y.h"), "h\n")
        write(self.p("out.o"), "x\n")
        replay(self.dir, ["r:main.c", "r:inc/my header.h", "r:inc/d$x#y.h", "w:out.o"],
               "-M", self.p("out.o.d"))
        write(self.p("Makefile"), "out.o:\n\ttouch $@\n-include out.o.d\n")
        t = 2000000000
        for rel in ("main.c", "inc/my header.h", "inc/d$x#y.h", "out.o"):
            t += 10
            os.utime(self.p(rel), (t, t))
        r = subprocess.run(["make", "-q", "-C", self.dir, "out.o"], capture_output=True)
        self.assertEqual(r.returncode, 0, r.stderr)  # up to date
        for rel in ("inc/my header.h", "inc/d$x#y.h"):
            t += 10
            os.utime(self.p(rel), (t, t))
            r = subprocess.run(["make", "-q", "-C", self.dir, "out.o"], capture_output=True)
            self.assertEqual(r.returncode, 1, rel)  # needs remaking
            t += 10
            os.utime(self.p("out.o"), (t, t))


if __name__ == "__main__":
    unittest.main()
