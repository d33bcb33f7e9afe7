# SPDX-License-Identifier: GPL-2.0-only
"""Unit tests of tools/kernel-matrix's pure parts (no qemu, no network).

Module files are real ELF objects built here with cc, carrying .modinfo
strings as the kernel's MODULE_INFO() emits them; the initramfs archive is
read back field by field (and by cpio(1) where installed).
"""
import email.utils
import hashlib
import importlib.machinery
import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]


def load_tool():
	loader = importlib.machinery.SourceFileLoader("kernel_matrix", str(TOP / "tools" / "kernel-matrix"))
	spec = importlib.util.spec_from_loader("kernel_matrix", loader)
	mod = importlib.util.module_from_spec(spec)
	loader.exec_module(mod)
	return mod


km = load_tool()


def test_glob_star_is_the_abi_number():
	g = "linux-image-6.1.0-*-amd64"
	assert km.glob_match("linux-image-6.1.0-56-amd64", g)
	assert km.glob_match("linux-image-6.1.0-9-amd64", g)
	assert not km.glob_match("linux-image-6.1.0-56-cloud-amd64", g)
	assert not km.glob_match("linux-image-6.1.0-56-rt-amd64", g)
	assert not km.glob_match("linux-image-6.1.0-56-amd64-dbg", g)
	assert not km.glob_match("linux-image-6.1.0-56-amd64-unsigned", g)
	# 6.12's ABI names (trixie, bookworm-backports) carry the upload in the token
	g = "linux-image-6.12.*-amd64"
	assert km.glob_match("linux-image-6.12.118+deb13-amd64", g)
	assert km.glob_match("linux-image-6.12.90+deb12.1-amd64", g)
	assert not km.glob_match("linux-image-6.12.118+deb13-rt-amd64", g)
	assert not km.glob_match("linux-image-6.12.118+deb13-cloud-amd64", g)
	assert not km.glob_match("linux-image-6.12-amd64", g)
	assert km.glob_match("linux-image-6.12.118+deb13-rt-amd64", "linux-image-6.12.*-rt-amd64")


def test_matrix_file_has_the_six_kernels():
	m = dict(km.read_matrix(TOP / "tools" / "kernel-matrix.d" / "kernels"))
	assert m["host"] == "host"
	assert m["debian-5.10"].startswith("deb:bullseye/linux-image-5.10.0-")
	assert m["debian-6.1"].startswith("deb:bookworm/linux-image-6.1.0-")
	assert m["debian-6.1-rt"].startswith("deb:bookworm/") and m["debian-6.1-rt"].endswith("-rt-amd64")
	assert m["debian-6.12"].startswith("deb:trixie/linux-image-6.12.")
	assert m["debian-6.12-rt"].startswith("deb:trixie/") and m["debian-6.12-rt"].endswith("-rt-amd64")
	assert len(m) == 6


def test_matrix_file_rejects_unknown_source(tmp_path):
	f = tmp_path / "k"
	f.write_text("a host\nb ftp:x\n")
	with pytest.raises(SystemExit):
		km.read_matrix(f)
	f.write_text("a deb:linux-image-6.1.0-*-amd64\n")	# no suite
	with pytest.raises(SystemExit):
		km.read_matrix(f)


@pytest.mark.skipif(not shutil.which("cc"), reason="no C compiler")
def test_modinfo_and_modules_dep(tmp_path):
	"""Fake modules with real .modinfo sections (as the kernel's MODULE_INFO
	emits them): depends= gives modules.dep, alias= gives modules.alias."""
	rel = "9.9.9-test"
	mods = tmp_path / "lib" / "modules" / rel
	(mods / "kernel" / "a").mkdir(parents=True)
	specs = {"virtio": "", "virtio_ring": "", "virtio_pci": "virtio,virtio_ring",
		 "9pnet": "", "9pnet_virtio": "9pnet,virtio,virtio_ring", "netfs": "",
		 "9p": "9pnet,netfs", "overlay": "", "veth": ""}
	for name, deps in specs.items():
		src = tmp_path / f"{name}.c"
		src.write_text(
			f'static const char a[] __attribute__((section(".modinfo"), used)) = "depends={deps}";\n'
			f'static const char b[] __attribute__((section(".modinfo"), used)) = "alias=test-{name}";\n')
		subprocess.run(["cc", "-c", "-o", str(mods / "kernel" / "a" / f"{name}.ko"), str(src)], check=True)
	(mods / "modules.builtin").write_text("kernel/a/overlay.ko\n")
	km.ensure_depmod(mods, rel, None)	# the Python reader, not depmod
	dep = (mods / "modules.dep").read_text()
	assert "kernel/a/9p.ko: kernel/a/9pnet.ko kernel/a/netfs.ko\n" in dep
	assert "kernel/a/veth.ko:\n" in dep
	assert "alias test-veth veth\n" in (mods / "modules.alias").read_text()
	order = [km.modname(f) for f in km.module_load_order(mods, km.GUEST_MODULES)]
	assert "overlay" not in order		# built in
	for name, deps in specs.items():
		if name in order:
			for d in filter(None, deps.split(",")):
				assert order.index(d) < order.index(name), (d, name, order)
	assert set(order) == {"virtio", "virtio_ring", "virtio_pci", "9pnet", "9pnet_virtio", "netfs", "9p"}
	with pytest.raises(km.Skip):
		km.module_load_order(mods, ["nosuchmodule"])


def test_cpio_newc_layout():
	a = km.Cpio()
	a.dir("bin")
	a.file("bin/x", b"hello", 0o755)
	a.chardev("dev/console", 5, 1)
	data = a.finish()
	entries, off = [], 0
	while True:
		hdr = data[off:off + 110]
		assert hdr[:6] == b"070701"
		f = [int(hdr[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
		namesize, filesize = f[11], f[6]
		name = data[off + 110:off + 110 + namesize - 1].decode()
		off = (off + 110 + namesize + 3) & ~3
		body = data[off:off + filesize]
		off = (off + filesize + 3) & ~3
		if name == "TRAILER!!!":
			break
		entries.append((name, f[1], body, (f[9], f[10])))
	assert off == len(data)
	assert entries[0][0] == "bin" and entries[0][1] == 0o40755
	assert entries[1] == ("bin/x", 0o100755, b"hello", (0, 0))
	assert entries[2][0] == "dev/console" and entries[2][1] == 0o20600 and entries[2][3] == (5, 1)
	if shutil.which("cpio"):
		p = subprocess.run(["cpio", "-t"], input=data, capture_output=True)
		assert p.stdout.decode().split() == ["bin", "bin/x", "dev/console"]


def test_result_line_is_pytests_closing_line():
	out = "a\n==== 3 passed, 1 skipped in 4.20s ====\n\n"
	assert km.result_line(out, 0) == "3 passed, 1 skipped in 4.20s"
	assert km.result_line("x\nlast words\n", 1) == "last words"


# ---------------------------------------------------------------- the private apt

def test_sources_list_release_has_its_update_pockets():
	k = "/usr/share/keyrings/debian-archive-keyring.gpg"
	assert km.sources_list("bullseye", "http://m/debian", "http://m/debian-security", k).splitlines() == [
		f"deb [arch=amd64 signed-by={k}] http://m/debian bullseye main",
		f"deb [arch=amd64 signed-by={k}] http://m/debian bullseye-updates main",
		f"deb [arch=amd64 signed-by={k}] http://m/debian-security bullseye-security main"]
	assert km.sources_list("bookworm-backports", "http://m/debian", "http://m/s", k) == \
		f"deb [arch=amd64 signed-by={k}] http://m/debian bookworm-backports main\n"
	# by default: Debian's registry and Debian's keyring, never trusted=yes
	text = km.sources_list("trixie")
	assert text.count("signed-by=/usr/share/keyrings/debian-archive-keyring.gpg") == 3
	assert "trusted" not in text and "deb.debian.org" in text
	for bad in ("", "Trixie", "trixie/updates", "a b", "../x"):
		with pytest.raises(ValueError):
			km.sources_list(bad)


@pytest.mark.skipif(not shutil.which("apt-get"), reason="no apt-get")
def test_apt_reads_only_the_private_sources(tmp_path):
	"""apt itself (--print-uris: no network) reads the generated sources and
	state, and nothing of the machine's sources.list."""
	apt = km.PrivateApt(tmp_path / "apt", "bullseye")
	p = subprocess.run(["apt-get", *apt.opts, "--print-uris", "update"], capture_output=True, text=True)
	assert p.returncode == 0, p.stderr
	uris = sorted(l.split()[0].strip("'") for l in p.stdout.splitlines() if l.startswith("'"))
	assert [u for u in uris if u.endswith("/InRelease")] == ["http://deb.debian.org/debian-security/dists/bullseye-security/InRelease",
			"http://deb.debian.org/debian/dists/bullseye-updates/InRelease",
			"http://deb.debian.org/debian/dists/bullseye/InRelease"]
	assert all(re.match(r"http://deb.debian.org/debian(-security)?/dists/bullseye(-updates|-security)?/"
			    r"(InRelease|main/binary-(amd64|all)/Packages)", u) for u in uris), uris
	assert (tmp_path / "apt" / "state" / "lists" / "partial").is_dir()
	assert (tmp_path / "apt" / "status").read_text() == ""	# not the machine's dpkg status


def test_newest_by_debian_version_order():
	policy = """linux-image-6.12.9+deb13-amd64:
  Installed: (none)
  Candidate: 6.12.9-1
  Version table:
     6.12.9-1 500
        500 http://deb.debian.org/debian trixie/main amd64 Packages
linux-image-6.12.10+deb13-amd64:
  Installed: (none)
  Candidate: 6.12.10-1
linux-image-6.12.10+deb13-rt-amd64:
  Installed: (none)
  Candidate: 6.12.11-1
linux-image-6.12.8+deb13-amd64:
  Installed: (none)
  Candidate: (none)
"""
	cands = km.parse_policy(policy)
	assert cands == {"linux-image-6.12.9+deb13-amd64": "6.12.9-1",
			 "linux-image-6.12.10+deb13-amd64": "6.12.10-1",
			 "linux-image-6.12.10+deb13-rt-amd64": "6.12.11-1"}
	# 10 > 9 as Debian orders versions (a string sort would take 9); the rt
	# package is newer but not the entry's flavour
	assert km.newest(cands, "linux-image-6.12.*-amd64") == ("linux-image-6.12.10+deb13-amd64", "6.12.10-1")
	assert km.newest(cands, "linux-image-6.12.*-rt-amd64") == ("linux-image-6.12.10+deb13-rt-amd64", "6.12.11-1")
	assert km.newest(cands, "linux-image-5.10.0-*-amd64") is None
	# a Debian revision and a tilde
	c = {"a-1-amd64": "5.10.262-1", "a-2-amd64": "5.10.262-1~deb11u1", "a-3-amd64": "5.10.26-9"}
	assert km.newest(c, "a-*-amd64") == ("a-1-amd64", "5.10.262-1")


def fake_kernel_deb(where, pkg, ver, rel):
	"""A .deb laid out as Debian's linux-image packages (vmlinuz, config, modules)."""
	root = where / f"{pkg}_{ver}"
	(root / "DEBIAN").mkdir(parents=True)
	(root / "DEBIAN" / "control").write_text(
		f"Package: {pkg}\nVersion: {ver}\nArchitecture: amd64\nMaintainer: t <t@t>\n"
		f"Description: test kernel {rel}\n")
	(root / "boot").mkdir()
	(root / "boot" / f"vmlinuz-{rel}").write_bytes(b"kernel " + rel.encode())
	(root / "boot" / f"config-{rel}").write_text("CONFIG_X=y\n")
	(root / "lib" / "modules" / rel / "kernel").mkdir(parents=True)
	(root / "lib" / "modules" / rel / "modules.builtin").write_text("")
	deb = where / f"{pkg}_{ver}_amd64.deb"
	subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(root), str(deb)],
		       check=True, capture_output=True)
	return deb


def write_suite(repo, suite, debs, gpg):
	"""dists/@suite with a Packages index of @debs (pool files in @repo) and an
	InRelease signed with the key of GNUPGHOME @gpg."""
	d = repo / "dists" / suite
	(d / "main" / "binary-amd64").mkdir(parents=True)
	stanzas = []
	for deb in debs:
		pool = repo / "pool" / deb.name
		pool.parent.mkdir(exist_ok=True)
		shutil.copy(deb, pool)
		ctl = subprocess.run(["dpkg-deb", "-f", str(pool)], capture_output=True, text=True, check=True).stdout
		data = pool.read_bytes()
		stanzas.append(ctl.rstrip("\n") + f"\nFilename: pool/{deb.name}\nSize: {len(data)}\n"
			       f"SHA256: {hashlib.sha256(data).hexdigest()}\n")
	pk = "\n".join(stanzas).encode()
	(d / "main" / "binary-amd64" / "Packages").write_bytes(pk)
	release = (f"Origin: test\nSuite: {suite}\nCodename: {suite}\nDate: {email.utils.formatdate(usegmt=True)}\n"
		   f"Architectures: amd64\nComponents: main\nSHA256:\n"
		   f" {hashlib.sha256(pk).hexdigest()} {len(pk)} main/binary-amd64/Packages\n")
	(d / "Release").write_text(release)
	subprocess.run(["gpg", "--homedir", gpg, "--batch", "--yes", "--clearsign", "-o", str(d / "InRelease"),
			str(d / "Release")], check=True, capture_output=True)


@pytest.fixture
def signed_repo(tmp_path):
	"""A Debian-style repository on disk (file: URIs, no network): suite
	kmx in the main mirror and kmx-security in the security one, signed by a
	key made here, whose public keyring is returned beside it."""
	for tool in ("gpg", "dpkg-deb", "apt-get"):
		if not shutil.which(tool):
			pytest.skip(f"no {tool}")
	gpg = tempfile.mkdtemp(prefix="/tmp/kmxg")	# gpg-agent's socket path must be short
	try:
		subprocess.run(["gpg", "--homedir", gpg, "--batch", "--passphrase", "", "--quick-gen-key",
				"kmx test <kmx@test.invalid>", "ed25519", "sign", "never"], check=True, capture_output=True)
		keyring = tmp_path / "keyring.gpg"
		keyring.write_bytes(subprocess.run(["gpg", "--homedir", gpg, "--export"], capture_output=True,
						   check=True).stdout)
		debs = tmp_path / "debs"
		debs.mkdir()
		old = fake_kernel_deb(debs, "linux-image-9.9.0-1-amd64", "9.9.1-1", "9.9.0-1-amd64")
		new = fake_kernel_deb(debs, "linux-image-9.9.0-2-amd64", "9.9.10-1", "9.9.0-2-amd64")
		rt = fake_kernel_deb(debs, "linux-image-9.9.0-3-rt-amd64", "9.9.11-1", "9.9.0-3-rt-amd64")
		main, sec = tmp_path / "mirror", tmp_path / "security"
		write_suite(main, "kmx", [old, rt], gpg)
		write_suite(main, "kmx-updates", [], gpg)
		write_suite(sec, "kmx-security", [new], gpg)
		yield {"mirror": f"file:{main}", "security": f"file:{sec}", "keyring": keyring, "gpg": gpg,
		       "main": main}
	finally:
		subprocess.run(["gpgconf", "--homedir", gpg, "--kill", "gpg-agent"], capture_output=True)
		shutil.rmtree(gpg, ignore_errors=True)


def host_apt_state():
	return {str(p): p.stat().st_mtime_ns for d in ("/etc/apt", "/var/lib/apt/lists")
		if os.path.isdir(d) for p in Path(d).rglob("*") if p.is_file()}


def test_fetch_deb_through_the_private_apt(tmp_path, signed_repo, monkeypatch):
	"""apt-get update/download on the private state, with signatures checked:
	the newest matching package across the pockets is downloaded and unpacked,
	then served from the cache without the registry."""
	monkeypatch.setattr(km, "MIRROR", signed_repo["mirror"])
	monkeypatch.setattr(km, "SECURITY_MIRROR", signed_repo["security"])
	monkeypatch.setattr(km, "KEYRING", str(signed_repo["keyring"]))
	cache = tmp_path / "cache"
	before = host_apt_state()
	kdir = km.fetch_deb(cache, "kmx/linux-image-9.9.0-*-amd64")
	assert kdir == cache / "kernels" / "linux-image-9.9.0-2-amd64_9.9.10-1"
	vmlinuz, mods, rel = km.kernel_files(kdir)
	assert vmlinuz.read_bytes() == b"kernel 9.9.0-2-amd64" and rel == "9.9.0-2-amd64"
	assert not list((cache / "debs").iterdir())	# the .deb is gone once unpacked
	assert "kmx-security" in (cache / "apt" / "kmx" / "sources.list").read_text()
	assert host_apt_state() == before
	# fresh lists and an unpacked kernel: no registry needed
	shutil.rmtree(signed_repo["main"])
	assert km.fetch_deb(cache, "kmx/linux-image-9.9.0-*-amd64") == kdir
	# stale lists and no registry: the update fails, the cached kernel serves
	assert km.fetch_deb(cache, "kmx/linux-image-9.9.0-*-amd64", refresh=True) == kdir
	with pytest.raises(km.Skip):
		km.fetch_deb(cache, "kmx/linux-image-9.9.0-*-cloud-amd64", refresh=True)


def test_fetch_deb_refuses_a_repository_signed_by_another_key(tmp_path, signed_repo, monkeypatch):
	other = tmp_path / "other.gpg"
	subprocess.run(["gpg", "--homedir", signed_repo["gpg"], "--batch", "--passphrase", "", "--quick-gen-key",
			"other <other@test.invalid>", "ed25519", "sign", "never"], check=True, capture_output=True)
	keys = subprocess.run(["gpg", "--homedir", signed_repo["gpg"], "--export", "other@test.invalid"],
			      capture_output=True, check=True).stdout
	other.write_bytes(keys)
	monkeypatch.setattr(km, "MIRROR", signed_repo["mirror"])
	monkeypatch.setattr(km, "SECURITY_MIRROR", signed_repo["security"])
	monkeypatch.setattr(km, "KEYRING", str(other))
	with pytest.raises(km.Skip, match="apt-get update .* failed"):
		km.fetch_deb(tmp_path / "cache", "kmx/linux-image-9.9.0-*-amd64")
	assert not (tmp_path / "cache" / "kernels").exists()


# ---------------------------------------------------------------- what needs which kernel

def load_bpf_check():
	return km.load_bpf_check()


def test_kernel_version_of_debian_releases():
	blc = load_bpf_check()
	assert blc.kernel_version("5.10.0-46-amd64") == (5, 10)
	assert blc.kernel_version("6.12.118+deb13-rt-amd64") == (6, 12)
	assert blc.kernel_version("6.1.0-57-rt-amd64") == (6, 1)
	# 6.1 < 6.12 < 6.18: numbers, not strings
	assert blc.kernel_version("6.1.0-57-amd64") < blc.kernel_version("6.12.1") < blc.kernel_version("6.18.4")
	with pytest.raises(ValueError):
		blc.kernel_version("linux")


def test_classify_refused_vs_rejected():
	blc = load_bpf_check()
	needs = blc.read_needs("# c\n\ncalltrace_*  5.12  atomic exchange\nsys_blk_start 6.5 block_io_start\n")
	assert needs == [("calltrace_*", (5, 12), "atomic exchange"), ("sys_blk_start", (6, 5), "block_io_start")]
	# older than the table's kernel: refused as expected, with the reason
	assert blc.classify("calltrace_enter", False, "5.10.0-46-amd64", needs) == \
		("refused", "needs 5.12: atomic exchange")
	assert blc.classify("sys_blk_start", False, "6.1.0-57-amd64", needs)[0] == "refused"
	# that kernel or newer: a failure
	assert blc.classify("calltrace_enter", False, "6.1.0-57-rt-amd64", needs)[0] == "FAIL"
	assert blc.classify("sys_blk_start", False, "6.12.118+deb13-amd64", needs)[0] == "FAIL"
	# not in the table at all: a failure on any kernel
	assert blc.classify("rt_fork", False, "5.10.0-46-amd64", needs) == \
		("FAIL", "rejected unexpectedly (not in bpf-needs)")
	assert blc.classify("rt_fork", True, "5.10.0-46-amd64", needs) == ("ok", "")
	# loads where the table says it cannot: ok, and the table is questioned
	v, note = blc.classify("calltrace_exit", True, "5.10.0-46-amd64", needs)
	assert v == "ok" and "bpf-needs says 5.12" in note
	with pytest.raises(ValueError):
		blc.read_needs("calltrace_* five atomic\n")


def test_left_out_tests_follow_bpf_needs():
	bpf_needs = "calltrace_*  5.12  atomic exchange\n"
	tests = "# x\ntests/a.py::test_ct  calltrace_enter\n"
	assert km.left_out("5.10.0-46-amd64", tests, bpf_needs) == [("tests/a.py::test_ct", "needs 5.12: atomic exchange")]
	assert km.left_out("6.1.0-57-rt-amd64", tests, bpf_needs) == []
	with pytest.raises(SystemExit):
		km.left_out("5.10.0-46-amd64", "tests/a.py::test_x  nosuchprog\n", bpf_needs)


def test_needs_tables_name_real_programs_and_tests():
	"""Every bpf-needs line matches a program of the built object, every
	tests-needs line names a test that exists and a program of bpf-needs."""
	blc = load_bpf_check()
	d = TOP / "tools" / "kernel-matrix.d"
	needs = blc.read_needs((d / "bpf-needs").read_text())
	obj = Path(km.bpf_object(km.runtrace_path()))
	if not obj.exists():
		pytest.skip(f"no {obj} (build first)")
	blc.init_libbpf()
	o = blc.open_obj(str(obj))
	progs = [blc.lib.bpf_program__name(p).decode() for p in blc.programs(o)]
	blc.lib.bpf_object__close(o)
	assert len(progs) >= 10, progs
	for glob, _, _ in needs:
		assert any(blc.fnmatch.fnmatchcase(p, glob) for p in progs), glob
	for line in (d / "tests-needs").read_text().splitlines():
		if not line.strip() or line.startswith("#"):
			continue
		test, prog = line.split()
		path, func = test.split("::")
		func = func.split("[", 1)[0]	# a parametrized test's id
		assert f"def {func}(" in (TOP / path).read_text(), test
		assert prog in progs and blc.need_of(prog, needs), line
