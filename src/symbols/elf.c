// SPDX-License-Identifier: GPL-2.0-only
/* ELF symbols, segments, USDT notes and build id, with libelf. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "symbols/elf.h"
#include "util/util.h"

/* libiberty's ansidecl.h has its own ARRAY_SIZE */
#undef ARRAY_SIZE
#include <libiberty/demangle.h>

#ifndef NT_STAPSDT
#define NT_STAPSDT 3
#endif

struct elf_file {
	char *path;
	bool dyn;
	int fd;
	Elf *elf;
	char build_id[2 * 64 + 1];
	struct elf_segment *segs;
	size_t nsegs;
	struct elf_sym *syms;
	size_t nsyms;
	struct elf_usdt *usdts;
	size_t nusdts;
};

char *elf_demangle(const char *mangled)
{
	char *d;

	if (strncmp(mangled, "_Z", 2))
		return NULL;
	/* No DMGL_PARAMS: "ns::Klass::method", templates kept. */
	d = cplus_demangle(mangled, DMGL_ANSI);
	return d;
}

static int add_sym(struct elf_file *ef, size_t *cap, const char *name, const GElf_Sym *s,
		   bool dynamic)
{
	struct elf_sym *e;
	int type = GELF_ST_TYPE(s->st_info), bind = GELF_ST_BIND(s->st_info);
	int err;

	if (!name[0] || s->st_shndx == SHN_UNDEF)
		return 0;
	if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_OBJECT && type != STT_TLS)
		return 0;
	err = array_grow(&ef->syms, cap, ef->nsyms, sizeof(*ef->syms), 256, SIZE_MAX);
	if (err)
		return err;
	e = &ef->syms[ef->nsyms];
	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	if (!e->name)
		return -ENOMEM;
	e->demangled = elf_demangle(name);
	e->value = s->st_value;
	e->size = s->st_size;
	e->kind = (type == STT_FUNC || type == STT_GNU_IFUNC) ? ELF_SYM_FUNC : ELF_SYM_OBJECT;
	e->global = bind == STB_GLOBAL || bind == STB_WEAK;
	e->dynamic = dynamic;
	ef->nsyms++;
	return 0;
}

static int read_symtab(struct elf_file *ef, Elf_Scn *scn, const GElf_Shdr *sh, size_t *cap)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t i, n;
	int err;

	if (!data || !sh->sh_entsize)
		return 0;
	n = sh->sh_size / sh->sh_entsize;
	for (i = 0; i < n; i++) {
		GElf_Sym s;
		const char *name;

		if (!gelf_getsym(data, (int)i, &s))
			continue;
		name = elf_strptr(ef->elf, sh->sh_link, s.st_name);
		if (!name)
			continue;
		err = add_sym(ef, cap, name, &s, sh->sh_type == SHT_DYNSYM);
		if (err)
			return err;
	}
	return 0;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct elf_sym *x = a, *y = b;
	int c;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	c = strcmp(x->name, y->name);
	if (c)
		return c;
	/* the .dynsym copy first: it survives the dedup below */
	return (int)y->dynamic - (int)x->dynamic;
}

static void dedup_syms(struct elf_file *ef)
{
	size_t i, o = 0;

	qsort(ef->syms, ef->nsyms, sizeof(*ef->syms), cmp_sym);
	for (i = 0; i < ef->nsyms; i++) {
		if (o && ef->syms[o - 1].value == ef->syms[i].value &&
		    !strcmp(ef->syms[o - 1].name, ef->syms[i].name)) {
			free((char *)ef->syms[i].name);
			free((char *)ef->syms[i].demangled);
			continue;
		}
		ef->syms[o++] = ef->syms[i];
	}
	ef->nsyms = o;
}

static void hex(char *out, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int add_usdt(struct elf_file *ef, size_t *cap, const unsigned char *desc, size_t len,
		    __u64 base_addr, bool have_base)
{
	__u64 pc, base, sema;
	const char *provider, *name, *args, *end = (const char *)desc + len;
	struct elf_usdt *u;
	int err;

	if (len < 3 * 8)
		return 0;
	memcpy(&pc, desc, 8);
	memcpy(&base, desc + 8, 8);
	memcpy(&sema, desc + 16, 8);
	provider = (const char *)desc + 24;
	name = memchr(provider, '\0', end - provider);
	if (!name++ || name >= end)
		return 0;
	args = memchr(name, '\0', end - name);
	if (!args++ || args > end)
		return 0;
	if (args == end || !memchr(args, '\0', end - args))
		args = "";
	/* Prelinked or otherwise moved: .stapsdt.base tells where the note's
	 * base ended up (as libbpf and systemtap do). */
	if (have_base && base)
		pc += base_addr - base;
	err = array_grow(&ef->usdts, cap, ef->nusdts, sizeof(*ef->usdts), 16, SIZE_MAX);
	if (err)
		return err;
	u = &ef->usdts[ef->nusdts];
	memset(u, 0, sizeof(*u));
	u->provider = strdup(provider);
	u->name = strdup(name);
	u->args = strdup(args);
	ef->nusdts++;
	if (!u->provider || !u->name || !u->args)
		return -ENOMEM;
	u->pc = pc;
	u->semaphore = sema;
	if (elf_file__vaddr_to_offset(ef, pc, &u->pc_offset))
		u->pc_offset = 0;
	if (!sema || elf_file__vaddr_to_offset(ef, sema, &u->sema_offset))
		u->sema_offset = 0;
	return 0;
}

static int read_notes(struct elf_file *ef, Elf_Scn *scn, __u64 base_addr, bool have_base,
		      size_t *cap)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;
	int err;

	if (!data)
		return 0;
	while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		const char *nname = (const char *)data->d_buf + name_off;
		const unsigned char *desc = (const unsigned char *)data->d_buf + desc_off;

		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && !memcmp(nname, "GNU", 4) &&
		    nh.n_descsz <= 64 && !ef->build_id[0]) {
			hex(ef->build_id, desc, nh.n_descsz);
		} else if (nh.n_type == NT_STAPSDT && nh.n_namesz == 8 &&
			   !memcmp(nname, "stapsdt", 8)) {
			err = add_usdt(ef, cap, desc, nh.n_descsz, base_addr, have_base);
			if (err)
				return err;
		}
	}
	return 0;
}

static int read_segments(struct elf_file *ef)
{
	size_t i, n;
	GElf_Ehdr eh;

	if (!gelf_getehdr(ef->elf, &eh) || elf_getphdrnum(ef->elf, &n))
		return -ENOEXEC;
	ef->dyn = eh.e_type == ET_DYN;
	ef->segs = calloc(n ? n : 1, sizeof(*ef->segs));
	if (!ef->segs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(ef->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		ef->segs[ef->nsegs++] = (struct elf_segment){
			.vaddr = ph.p_vaddr, .memsz = ph.p_memsz,
			.offset = ph.p_offset, .filesz = ph.p_filesz,
			.flags = ph.p_flags,
		};
	}
	return 0;
}

struct elf_file *elf_file__open(const char *path)
{
	struct elf_file *ef = NULL;
	size_t shstrndx, symcap = 0, usdtcap = 0;
	Elf_Scn *scn = NULL;
	__u64 base_addr = 0;
	bool have_base = false;
	int err;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		err = -EINVAL;
		goto cleanup;
	}
	ef = calloc(1, sizeof(*ef));
	if (!ef) {
		err = -ENOMEM;
		goto cleanup;
	}
	ef->fd = -1;
	ef->path = strdup(path);
	if (!ef->path) {
		err = -ENOMEM;
		goto cleanup;
	}
	ef->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ef->fd < 0) {
		err = -errno;
		goto cleanup;
	}
	ef->elf = elf_begin(ef->fd, ELF_C_READ_MMAP, NULL);
	if (!ef->elf || elf_kind(ef->elf) != ELF_K_ELF || gelf_getclass(ef->elf) != ELFCLASS64 ||
	    elf_getshdrstrndx(ef->elf, &shstrndx)) {
		err = -ENOEXEC;
		goto cleanup;
	}
	err = read_segments(ef);
	if (err)
		goto cleanup;
	/* .stapsdt.base first: the USDT notes are relative to it. */
	while ((scn = elf_nextscn(ef->elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(ef->elf, shstrndx, sh.sh_name);
		if (name && !strcmp(name, ".stapsdt.base")) {
			base_addr = sh.sh_addr;
			have_base = true;
		}
	}
	while ((scn = elf_nextscn(ef->elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM)
			err = read_symtab(ef, scn, &sh, &symcap);
		else if (sh.sh_type == SHT_NOTE)
			err = read_notes(ef, scn, base_addr, have_base, &usdtcap);
		if (err)
			goto cleanup;
	}
	dedup_syms(ef);
	return ef;
cleanup:
	elf_file__free(ef);
	errno = -err;
	return NULL;
}

void elf_file__free(struct elf_file *ef)
{
	size_t i;

	if (!ef)
		return;
	for (i = 0; i < ef->nsyms; i++) {
		free((char *)ef->syms[i].name);
		free((char *)ef->syms[i].demangled);
	}
	for (i = 0; i < ef->nusdts; i++) {
		free((char *)ef->usdts[i].provider);
		free((char *)ef->usdts[i].name);
		free((char *)ef->usdts[i].args);
	}
	free(ef->syms);
	free(ef->usdts);
	free(ef->segs);
	if (ef->elf)
		elf_end(ef->elf);
	if (ef->fd >= 0)
		close(ef->fd);
	free(ef->path);
	free(ef);
}

const char *elf_file__path(const struct elf_file *ef)
{
	return ef->path;
}

bool elf_file__is_dyn(const struct elf_file *ef)
{
	return ef->dyn;
}

const char *elf_file__build_id(const struct elf_file *ef)
{
	return ef->build_id;
}

const struct elf_segment *elf_file__segments(const struct elf_file *ef, size_t *n)
{
	*n = ef->nsegs;
	return ef->segs;
}

const struct elf_sym *elf_file__syms(const struct elf_file *ef, size_t *n)
{
	*n = ef->nsyms;
	return ef->syms;
}

const struct elf_usdt *elf_file__usdts(const struct elf_file *ef, size_t *n)
{
	*n = ef->nusdts;
	return ef->usdts;
}

/* Higher is better: a global function beats a local object. */
static int sym_rank(const struct elf_sym *s)
{
	return (s->global ? 2 : 0) + (s->kind == ELF_SYM_FUNC ? 1 : 0);
}

const struct elf_sym *elf_file__find_sym(const struct elf_file *ef, const char *name)
{
	const struct elf_sym *best = NULL, *dbest = NULL;
	size_t i;

	for (i = 0; i < ef->nsyms; i++) {
		const struct elf_sym *s = &ef->syms[i];

		if (!strcmp(s->name, name)) {
			if (!best || sym_rank(s) > sym_rank(best))
				best = s;
		} else if (s->demangled && !strcmp(s->demangled, name)) {
			if (!dbest || sym_rank(s) > sym_rank(dbest))
				dbest = s;
		}
	}
	return best ? best : dbest;
}

const struct elf_sym *elf_file__sym_at(const struct elf_file *ef, __u64 vaddr, __u64 *off)
{
	size_t lo = 0, hi = ef->nsyms, i;

	/* lo: one past the last symbol with value <= vaddr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ef->syms[mid].value <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	/* a sized symbol covering vaddr, among the nearest ones below */
	for (i = lo; i-- > 0 && lo - i <= 64;) {
		const struct elf_sym *s = &ef->syms[i];

		if (s->size && vaddr < s->value + s->size) {
			size_t j;

			/* aliases at the same address: the global one names it */
			for (j = i; j-- > 0 && ef->syms[j].value == s->value;)
				if (ef->syms[j].size && sym_rank(&ef->syms[j]) > sym_rank(s))
					s = &ef->syms[j];
			for (j = i + 1; j < lo && ef->syms[j].value == s->value; j++)
				if (ef->syms[j].size && sym_rank(&ef->syms[j]) > sym_rank(s))
					s = &ef->syms[j];
			*off = vaddr - s->value;
			return s;
		}
	}
	/* else the nearest label of size 0 (hand-written assembly) */
	if (!ef->syms[lo - 1].size) {
		*off = vaddr - ef->syms[lo - 1].value;
		return &ef->syms[lo - 1];
	}
	return NULL;
}

int elf_file__vaddr_to_offset(const struct elf_file *ef, __u64 vaddr, __u64 *off)
{
	size_t i;

	for (i = 0; i < ef->nsegs; i++) {
		const struct elf_segment *s = &ef->segs[i];

		if (vaddr >= s->vaddr && vaddr < s->vaddr + s->filesz) {
			*off = vaddr - s->vaddr + s->offset;
			return 0;
		}
	}
	return -ENOENT;
}

int elf_file__offset_to_vaddr(const struct elf_file *ef, __u64 off, __u64 *vaddr)
{
	size_t i;

	for (i = 0; i < ef->nsegs; i++) {
		const struct elf_segment *s = &ef->segs[i];

		if (off >= s->offset && off < s->offset + s->filesz) {
			*vaddr = off - s->offset + s->vaddr;
			return 0;
		}
	}
	return -ENOENT;
}

int elf_file__read_vaddr(const struct elf_file *ef, __u64 vaddr, void *buf, size_t len)
{
	__u64 off, end_off;
	ssize_t n;

	if (elf_file__vaddr_to_offset(ef, vaddr, &off) ||
	    (len && elf_file__vaddr_to_offset(ef, vaddr + len - 1, &end_off)))
		return -ENOENT;
	n = pread(ef->fd, buf, len, (off_t)off);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int elf_file__load_bias(const struct elf_file *ef, __u64 map_start, __u64 map_offset,
			__s64 *bias)
{
	const long page = sysconf(_SC_PAGESIZE);
	const struct elf_segment *best = NULL;
	size_t i;

	/* The loader maps each PT_LOAD segment from its page-aligned file
	 * offset: the segment whose page-aligned offset is map_offset. */
	for (i = 0; i < ef->nsegs; i++) {
		const struct elf_segment *s = &ef->segs[i];
		__u64 aligned = s->offset & ~(__u64)(page - 1);

		if (aligned <= map_offset && map_offset < s->offset + (s->filesz ? s->filesz : 1) &&
		    (!best || s->offset > best->offset))
			best = s;
	}
	if (!best)
		return -ENOENT;
	*bias = (__s64)(map_start - (best->vaddr + map_offset - best->offset));
	return 0;
}
