# SPDX-License-Identifier: GPL-2.0-only
"""Unit tests of tools/kernel-matrix's pure parts (no qemu, no network).

Module files are real ELF objects built here with cc, carrying .modinfo
strings as the kernel's MODULE_INFO() emits them; the initramfs archive is
read back field by field (and by cpio(1) where installed).
"""
import importlib.machinery
import importlib.util
import shutil
import subprocess
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


def test_matrix_file_has_host_and_debian_6_1():
	m = km.read_matrix(TOP / "tools" / "kernel-matrix.d" / "kernels")
	assert ("host", "host") in m
	assert any(s.startswith("deb:linux-image-6.1.0-") for _, s in m)


def test_matrix_file_rejects_unknown_source(tmp_path):
	f = tmp_path / "k"
	f.write_text("a host\nb ftp:x\n")
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
