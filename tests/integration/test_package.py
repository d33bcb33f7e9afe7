# SPDX-License-Identifier: GPL-2.0-only
"""Installing runtrace as a Debian tool: `meson install --destdir` stages
exactly what a user needs, and the .deb that tools/build-deb makes installs
on this machine (dpkg -i), is found by man and by bash-completion, runs
`runtrace --version -v` and the README's demo, and removes cleanly
(dpkg --purge), leaving the machine as it was.

Oracles: the sources (one man page per man/*.scd, the version of
meson.build), the dynamic linker's view of the binary (its NEEDED
libraries and the packages that ship them, for Depends), man and
bash-completion's own loaders, and rm's own exit status and message for
the demo."""
import gzip
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, RT

BUILD = Path(RT).resolve().parent
PAGES = sorted(p.name[:-len(".scd")] for p in (ROOT / "man").glob("*.scd"))


def project_version():
    out = subprocess.run(["meson", "introspect", "--projectinfo", "meson.build"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["version"]


def expected_files(prefix, bashdir, zshdir, docs):
    """What an install holds: the binary, a page per scdoc source, the
    completions, the docs.  Nothing else (no workloads, benchmarks, tests)."""
    files = {f"{prefix}/bin/runtrace", f"{bashdir}/runtrace", f"{zshdir}/_runtrace"}
    files |= {f"{prefix}/share/man/man{p.split('.')[-1]}/{p}" for p in PAGES}
    files |= {f"{prefix}/share/doc/runtrace/{d}" for d in docs}
    return files


def staged_files(root):
    return {"/" + str(p.relative_to(root)) for p in Path(root).rglob("*")
            if p.is_file() or p.is_symlink()}


# ---- meson install --------------------------------------------------------

def test_meson_install_destdir_stages_only_what_users_need(tmp_path):
    if not (BUILD / "meson-info").is_dir():
        pytest.skip(f"{BUILD} is not a meson build directory")
    info = json.loads((BUILD / "meson-info" / "intro-buildoptions.json").read_text())
    opt = {o["name"]: o["value"] for o in info}
    if not all((BUILD / "man" / page).exists() for page in PAGES):
        pytest.skip(f"{BUILD} has no man pages (-Dman=disabled, or no scdoc)")
    dest = tmp_path / "stage"
    p = subprocess.run(["meson", "install", "-C", BUILD, "--destdir", dest, "--no-rebuild",
                        "--quiet"], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    prefix = opt["prefix"]
    bashdir = opt["bashcompletiondir"] or subprocess.run(
        ["pkg-config", "--variable=completionsdir",
         f"--define-variable=datadir={prefix}/{opt['datadir']}", "bash-completion"],
        capture_output=True, text=True).stdout.strip() or \
        f"{prefix}/{opt['datadir']}/bash-completion/completions"
    zshdir = opt["zshcompletiondir"] or f"{prefix}/{opt['datadir']}/zsh/site-functions"
    staged = staged_files(dest)
    assert staged == expected_files(prefix, bashdir, zshdir, ["README.md"]), \
        sorted(staged ^ expected_files(prefix, bashdir, zshdir, ["README.md"]))
    # the staged binary is the one built; pages are roff that man can read
    assert (dest / prefix.lstrip("/") / "bin" / "runtrace").read_bytes() == \
        (BUILD / "runtrace").read_bytes()
    for page in PAGES:
        path = dest / prefix.lstrip("/") / "share" / "man" / "man1" / page
        out = subprocess.run(["man", "-l", "-P", "cat", path], capture_output=True, text=True,
                             env=dict(os.environ, MANWIDTH="80"))
        assert out.returncode == 0 and "EXIT STATUS" in out.stdout, out.stderr


# ---- the Debian package ---------------------------------------------------

def _package_skip_reason():
    for tool in ("dpkg-buildpackage", "dh", "scdoc", "lintian"):
        if not shutil.which(tool):
            return f"{tool} is absent (tools/setup --deps installs it)"
    if os.geteuid() != 0:
        return "needs root (dpkg -i)"
    st = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "runtrace"], capture_output=True,
                        text=True).stdout
    if "installed" in st and "not-installed" not in st:
        return "a runtrace package is installed on this machine: the test leaves it alone"
    if Path("/usr/bin/runtrace").exists():
        return "/usr/bin/runtrace exists: the test will not overwrite it"
    return None


def needed_packages(binary):
    """The packages shipping the shared libraries @binary itself needs
    (its NEEDED entries, as the dynamic linker resolves them)."""
    dyn = subprocess.run(["readelf", "-d", binary], capture_output=True, text=True,
                         check=True).stdout
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dyn))
    paths = {}
    for line in subprocess.run(["ldd", binary], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        m = re.match(r"\s*(\S+) => (/\S+)", line)
        if m:
            paths[m.group(1)] = m.group(2)
    pkgs = set()
    for lib in needed:
        assert lib in paths, f"{lib} does not resolve"
        real = os.path.realpath(paths[lib])
        # dpkg knows one spelling of a merged-/usr path: /lib/... or /usr/lib/...
        for path in (paths[lib], real, re.sub(r"^/usr/", "/", real)):
            owner = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
            if owner.returncode == 0:
                break
        assert owner.returncode == 0, owner.stderr
        pkgs.add(owner.stdout.split(":")[0])
    return pkgs


@pytest.mark.slow
def test_deb_builds_installs_runs_and_removes(tmp_path):
    reason = _package_skip_reason()
    if reason:
        pytest.skip(reason)
    version = project_version()
    out = tmp_path / "deb"
    p = subprocess.run([ROOT / "tools" / "build-deb", "-o", out], capture_output=True,
                       text=True, timeout=1800)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    deb = out / f"runtrace_{version}_amd64.deb"
    assert p.stdout.strip().splitlines()[-1] == str(deb)
    assert deb.exists()
    # lintian ran and found no error
    assert "lintian" in p.stdout
    assert not re.search(r"^E: ", p.stdout, re.M), p.stdout
    # the worktree was not touched by the build
    assert not (ROOT / "obj-x86_64-linux-gnu").exists() and not (ROOT / "debian" / "runtrace").exists()

    # the file list: exactly what a user needs
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True,
                             check=True).stdout
    files = {"/" + l.split()[-1].lstrip("./") for l in listing.splitlines()
             if not l.startswith("d")}
    want = expected_files("/usr", "/usr/share/bash-completion/completions",
                          "/usr/share/zsh/vendor-completions",
                          ["README.md.gz", "changelog.gz", "copyright"])
    want = {f + ".gz" if "/man/" in f else f for f in want}
    assert files == want, sorted(files ^ want)
    assert re.search(r"^-rwxr-xr-x root/root .* \./usr/bin/runtrace$", listing, re.M), listing

    depends = subprocess.run(["dpkg-deb", "-f", deb, "Depends"], capture_output=True,
                             text=True, check=True).stdout
    dep_names = {d.strip().split()[0] for d in depends.split(",")}
    try:
        subprocess.run(["dpkg", "-i", deb], capture_output=True, text=True, check=True)
        # Depends names every package whose library the binary loads
        needed = needed_packages("/usr/bin/runtrace")
        assert needed and needed <= dep_names, (needed, depends)

        # man finds the pages, and they render
        for page in PAGES:
            name = page.rsplit(".", 1)[0]
            w = subprocess.run(["man", "-w", name], capture_output=True, text=True)
            assert w.stdout.strip() == f"/usr/share/man/man1/{page}.gz", w.stderr
            text = subprocess.run(["man", "-P", "cat", name], capture_output=True, text=True,
                                  env=dict(os.environ, MANWIDTH="80")).stdout
            assert "EXIT STATUS" in text and "runtrace" in text
        with gzip.open("/usr/share/man/man1/runtrace-trace.1.gz", "rt") as f:
            assert ".TH" in f.read()

        # bash-completion's loader finds the completion by the command's name
        c = subprocess.run(["bash", "-c", "source /usr/share/bash-completion/bash_completion; "
                            "__load_completion runtrace && complete -p runtrace"],
                           capture_output=True, text=True)
        assert c.stdout.strip() == "complete -F _runtrace runtrace", c.stdout + c.stderr

        # runtrace --version -v
        v = subprocess.run(["runtrace", "--version", "-v"], capture_output=True, text=True,
                           timeout=60)
        assert v.returncode == 0, v.stderr
        assert v.stdout.splitlines()[0] == f"runtrace {version}"
        assert re.search(r"^kernel: \S+", v.stdout, re.M) and re.search(r"^btf: ", v.stdout, re.M)

        # the README's demo, against rm's own account
        readme = (ROOT / "README.md").read_text()
        m = re.search(r"tools/setup && build/(runtrace .*)$", readme, re.M)
        assert m, "the README's demo command is gone"
        demo = m.group(1)
        work = tmp_path / "demo"
        work.mkdir()
        rm = subprocess.run(["rm", "non_exist_file"], cwd=work, capture_output=True, text=True)
        d = subprocess.run(["sh", "-c", demo], cwd=work, capture_output=True, text=True,
                           timeout=120, env=dict(os.environ, PATH="/usr/bin:/bin"))
        assert d.returncode == 1, d.stdout + d.stderr
        assert f"The most frequent return code was {rm.returncode}" in d.stdout
        assert "INFO: I reached max failed attempts, I GIVE UP" in d.stdout
        assert rm.stderr.strip() in d.stdout + d.stderr
        arts = re.search(r"^artifacts: (\S+)/$", d.stdout, re.M)
        assert arts, d.stdout
        runs = sorted(p.name for p in (work / arts.group(1)).iterdir() if p.is_dir())
        assert runs == ["run-0001", "run-0002"]
        assert (work / arts.group(1) / "run-0001" / "stderr.log").read_text() == rm.stderr
    finally:
        r = subprocess.run(["dpkg", "--purge", "runtrace"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    # removed cleanly: nothing of the package is left
    st = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "runtrace"], capture_output=True,
                        text=True).stdout
    assert "installed" not in st.replace("not-installed", ""), st
    for f in want:
        assert not os.path.lexists(f), f
    assert not Path("/usr/share/doc/runtrace").exists()
    assert subprocess.run(["man", "-w", "runtrace-trace"], capture_output=True).returncode != 0
