// SPDX-License-Identifier: GPL-2.0-only
/* Probe sites of a CPython 3.11 binary (see pysites.h). */
#define _GNU_SOURCE
#include <capstone/capstone.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calls/pysites.h"
#include "symbols/elf.h"

#define OP_RETURN_VALUE 83
#define OP_RESUME_QUICK 150
#define OP_RESUME 151
#define OP_UNKNOWN_FIRST 181
#define OP_UNKNOWN_LAST 254

long py_sites_find_table(const __u64 *vals, size_t n, __u64 lo, __u64 hi)
{
	size_t i, j, run = 0;

	for (i = 1; i < n; i++) {
		if (vals[i] && vals[i] == vals[i - 1])
			run++;
		else
			run = 0;
		/* a run of 74 equal slots ending at i: opcodes 181..254 */
		if (run + 1 < OP_UNKNOWN_LAST - OP_UNKNOWN_FIRST + 1)
			continue;
		j = i - (OP_UNKNOWN_LAST - OP_UNKNOWN_FIRST) - OP_UNKNOWN_FIRST;
		if (i < (size_t)OP_UNKNOWN_LAST || j + 256 > n)
			continue;
		if (vals[j + OP_UNKNOWN_FIRST - 1] == vals[i] || vals[j + 255] == vals[i])
			continue;
		if (vals[j + OP_RESUME] >= lo && vals[j + OP_RESUME] < hi &&
		    vals[j + OP_RESUME_QUICK] >= lo && vals[j + OP_RESUME_QUICK] < hi &&
		    vals[j + OP_RETURN_VALUE] >= lo && vals[j + OP_RETURN_VALUE] < hi)
			return j;
	}
	return -1;
}

long py_sites_first_branch(const __u8 *code, size_t len, __u64 addr)
{
	csh h;
	cs_insn *insn = NULL;
	size_t n, i;
	long ret = -1;

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return -1;
	n = cs_disasm(h, code, len, addr, 32, &insn);
	for (i = 0; i < n; i++) {
		const __u8 *b = insn[i].bytes;
		unsigned k = 0;

		/* prefixes the decoder may keep (branch hints, bnd) */
		while (k < insn[i].size && (b[k] == 0x2e || b[k] == 0x3e || b[k] == 0xf2))
			k++;
		if ((b[k] >= 0x70 && b[k] <= 0x7f) || b[k] == 0xeb || b[k] == 0xe9 ||
		    (b[k] == 0x0f && k + 1 < insn[i].size && b[k + 1] >= 0x80 && b[k + 1] <= 0x8f)) {
			ret = insn[i].address - addr;
			break;
		}
		/* any other change of flow: not a site the kernel emulates */
		if (insn[i].id == X86_INS_JMP || insn[i].id == X86_INS_RET ||
		    insn[i].id == X86_INS_CALL || insn[i].id == X86_INS_UD2)
			break;
	}
	cs_free(insn, n);
	cs_close(&h);
	return ret;
}

static int reg_of(x86_reg r)
{
	switch (r) {
	case X86_REG_RBX: return RT_REG_RBX;
	case X86_REG_RBP: return RT_REG_RBP;
	case X86_REG_R12: return RT_REG_R12;
	case X86_REG_R13: return RT_REG_R13;
	case X86_REG_R14: return RT_REG_R14;
	case X86_REG_R15: return RT_REG_R15;
	default: return RT_REG_NONE;
	}
}

/* The 64-bit register a register is part of (ebx, bx, bl: rbx). */
static x86_reg family(x86_reg r)
{
	static const x86_reg fam[][5] = {
		{ X86_REG_RAX, X86_REG_EAX, X86_REG_AX, X86_REG_AL, X86_REG_AH },
		{ X86_REG_RBX, X86_REG_EBX, X86_REG_BX, X86_REG_BL, X86_REG_BH },
		{ X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL, X86_REG_CH },
		{ X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL, X86_REG_DH },
		{ X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL, X86_REG_SIL },
		{ X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL, X86_REG_DIL },
		{ X86_REG_RBP, X86_REG_EBP, X86_REG_BP, X86_REG_BPL, X86_REG_BPL },
		{ X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B, X86_REG_R8B },
		{ X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B, X86_REG_R9B },
		{ X86_REG_R10, X86_REG_R10D, X86_REG_R10W, X86_REG_R10B, X86_REG_R10B },
		{ X86_REG_R11, X86_REG_R11D, X86_REG_R11W, X86_REG_R11B, X86_REG_R11B },
		{ X86_REG_R12, X86_REG_R12D, X86_REG_R12W, X86_REG_R12B, X86_REG_R12B },
		{ X86_REG_R13, X86_REG_R13D, X86_REG_R13W, X86_REG_R13B, X86_REG_R13B },
		{ X86_REG_R14, X86_REG_R14D, X86_REG_R14W, X86_REG_R14B, X86_REG_R14B },
		{ X86_REG_R15, X86_REG_R15D, X86_REG_R15W, X86_REG_R15B, X86_REG_R15B },
	};
	size_t i, j;

	for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++)
		for (j = 0; j < 5; j++)
			if (fam[i][j] == r)
				return fam[i][0];
	return r;
}

/* Does @insn write @reg (or a part of it)? */
static bool writes(csh h, const cs_insn *insn, x86_reg reg)
{
	cs_regs rd, wr;
	uint8_t nrd, nwr, i;

	if (cs_regs_access(h, insn, rd, &nrd, wr, &nwr))
		return true; /* cannot tell: assume it does */
	for (i = 0; i < nwr; i++)
		if (family(wr[i]) == family(reg))
			return true;
	return false;
}

int py_sites_frame_reg(const __u8 *code, size_t len, __u64 addr, long branch, unsigned disp)
{
	x86_reg frame = X86_REG_INVALID;
	cs_insn *insn = NULL;
	size_t n, i;
	csh h;

	if (branch < 0 || cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return RT_REG_NONE;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	n = cs_disasm(h, code, len, addr, 32, &insn);
	for (i = 0; i < n && insn[i].address < addr + branch; i++) {
		const cs_x86 *x = &insn[i].detail->x86;

		if (insn[i].id == X86_INS_MOV && x->op_count == 2 && x->operands[0].type == X86_OP_MEM &&
		    x->operands[1].type == X86_OP_REG && x->operands[0].mem.disp == (int64_t)disp &&
		    x->operands[0].mem.index == X86_REG_INVALID && x->operands[0].size == 8 &&
		    reg_of(x->operands[0].mem.base) != RT_REG_NONE) {
			frame = x->operands[0].mem.base;
			continue;
		}
		if (frame != X86_REG_INVALID && writes(h, &insn[i], frame))
			frame = X86_REG_INVALID;
	}
	cs_free(insn, n);
	cs_close(&h);
	return frame == X86_REG_INVALID ? RT_REG_NONE : reg_of(frame);
}

/* A direct conditional branch (jcc rel8/rel32): the kernel emulates it. */
static bool is_jcc(const cs_insn *insn)
{
	const __u8 *b = insn->bytes;
	unsigned k = 0;

	while (k < insn->size && (b[k] == 0x2e || b[k] == 0x3e || b[k] == 0xf2))
		k++;
	return (b[k] >= 0x70 && b[k] <= 0x7f) ||
	       (b[k] == 0x0f && k + 1 < insn->size && b[k + 1] >= 0x80 && b[k + 1] <= 0x8f);
}

int py_sites_exit_sites(const __u8 *code, size_t len, __u64 addr, __u64 sema, unsigned disp_a,
			unsigned disp_b, __u64 *sites, int *regs, int max)
{
	x86_reg frame = X86_REG_INVALID;
	const __u8 *p = code;
	uint64_t a = addr;
	size_t left = len;
	bool tested = false;
	cs_insn *insn;
	int n = 0;
	csh h;

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return 0;
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	insn = cs_malloc(h);
	while (insn && n < max && left) {
		const cs_x86 *x;

		if (!cs_disasm_iter(h, &p, &left, &a, insn)) {
			/* not code (padding, data): step over a byte */
			p++, a++, left--;
			frame = X86_REG_INVALID;
			tested = false;
			continue;
		}
		x = &insn->detail->x86;
		if (tested && is_jcc(insn)) {
			sites[n] = insn->address;
			regs[n] = frame == X86_REG_INVALID ? RT_REG_NONE : reg_of(frame);
			n++;
		}
		tested = insn->id == X86_INS_CMP && x->op_count == 2 &&
			 x->operands[0].type == X86_OP_MEM && x->operands[0].mem.base == X86_REG_RIP &&
			 x->operands[0].mem.index == X86_REG_INVALID &&
			 insn->address + insn->size + x->operands[0].mem.disp == sema &&
			 x->operands[1].type == X86_OP_IMM && x->operands[1].imm == 0;
		if (insn->id == X86_INS_MOV && x->op_count == 2 && x->operands[0].type == X86_OP_MEM &&
		    x->operands[0].mem.index == X86_REG_INVALID &&
		    (x->operands[0].mem.disp == (int64_t)disp_a ||
		     x->operands[0].mem.disp == (int64_t)disp_b) &&
		    reg_of(x->operands[0].mem.base) != RT_REG_NONE) {
			frame = x->operands[0].mem.base;
			continue;
		}
		/* a run of code ends at a jump or a return (what follows is
		 * reached from elsewhere) */
		if (insn->id == X86_INS_JMP || insn->id == X86_INS_RET ||
		    (frame != X86_REG_INVALID && writes(h, insn, frame)))
			frame = X86_REG_INVALID;
	}
	cs_free(insn, 1);
	cs_close(&h);
	return n;
}

/* The R_X86_64_RELATIVE addends of a shared object, by slot address. */
struct reloc {
	__u64 off, addend;
};

static int cmp_reloc(const void *a, const void *b)
{
	const struct reloc *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static int relative_relocs(const char *path, struct reloc **out, size_t *n)
{
	Elf *e = NULL;
	Elf_Scn *scn = NULL;
	struct reloc *r = NULL;
	size_t cap = 0, cnt = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e) {
		err = -EINVAL;
		goto cleanup;
	}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t i;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		for (i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Rela ra;

			if (!gelf_getrela(d, i, &ra) || GELF_R_TYPE(ra.r_info) != 8 /* RELATIVE */)
				continue;
			if (cnt == cap) {
				struct reloc *nr;

				cap = cap ? cap * 2 : 4096;
				nr = realloc(r, cap * sizeof(*r));
				if (!nr) {
					err = -ENOMEM;
					goto cleanup;
				}
				r = nr;
			}
			r[cnt].off = ra.r_offset;
			r[cnt].addend = ra.r_addend;
			cnt++;
		}
	}
	qsort(r, cnt, sizeof(*r), cmp_reloc);
cleanup:
	if (e)
		elf_end(e);
	close(fd);
	if (err) {
		free(r);
		return err;
	}
	*out = r;
	*n = cnt;
	return 0;
}

/* Search the read-only data (or, in a shared object, the relocated
 * slots) for the opcode table.  Its address, or 0. */
static __u64 find_table(struct elf_file *ef, __u64 lo, __u64 hi)
{
	const struct elf_segment *segs;
	size_t nsegs, s, i;
	__u64 found = 0;

	if (elf_file__is_dyn(ef)) {
		struct reloc *r;
		size_t n, start;

		if (relative_relocs(elf_file__path(ef), &r, &n))
			return 0;
		/* runs of consecutive slots */
		for (start = 0; start < n && !found; start = i) {
			__u64 *vals;
			long k;

			for (i = start + 1; i < n && r[i].off == r[i - 1].off + 8; i++)
				;
			if (i - start < 256)
				continue;
			vals = malloc((i - start) * sizeof(*vals));
			if (!vals)
				break;
			for (s = start; s < i; s++)
				vals[s - start] = r[s].addend;
			k = py_sites_find_table(vals, i - start, lo, hi);
			if (k >= 0)
				found = r[start + k].off;
			free(vals);
		}
		free(r);
		return found;
	}
	segs = elf_file__segments(ef, &nsegs);
	for (s = 0; s < nsegs && !found; s++) {
		__u64 *vals;
		size_t n = segs[s].filesz / 8;
		long k;

		if (segs[s].flags & 1 /* PF_X */ || n < 256)
			continue;
		vals = malloc(n * 8);
		if (!vals)
			break;
		if (!elf_file__read_vaddr(ef, (segs[s].vaddr + 7) & ~7ull, vals, n * 8 - 8)) {
			k = py_sites_find_table(vals, n - 1, lo, hi);
			if (k >= 0)
				found = ((segs[s].vaddr + 7) & ~7ull) + 8 * k;
		}
		free(vals);
	}
	return found;
}

int py_sites_find(struct elf_file *ef, const struct rt_py_offsets *layout, struct py_sites *out,
		  char *why, size_t len)
{
	const struct elf_sym *eval, *rt;
	const struct elf_usdt *u;
	__u64 table, target[256];
	size_t nu, i;
	int k;

	memset(out, 0, sizeof(*out));
	eval = elf_file__find_sym(ef, "_PyEval_EvalFrameDefault");
	rt = elf_file__find_sym(ef, "_PyRuntime");
	if (!eval || !eval->size || !rt) {
		snprintf(why, len, "%s has no _PyEval_EvalFrameDefault or _PyRuntime symbol",
			 elf_file__path(ef));
		return -ENOENT;
	}
	out->runtime = rt->value;
	{
		static const struct {
			enum rt_call_pykind kind;
			const char *sym;
		} tn[] = {
			{ RT_PK_NONE, "_PyNone_Type" },        { RT_PK_BOOL, "PyBool_Type" },
			{ RT_PK_INT, "PyLong_Type" },          { RT_PK_FLOAT, "PyFloat_Type" },
			{ RT_PK_COMPLEX, "PyComplex_Type" },   { RT_PK_STR, "PyUnicode_Type" },
			{ RT_PK_BYTES, "PyBytes_Type" },       { RT_PK_TUPLE, "PyTuple_Type" },
			{ RT_PK_LIST, "PyList_Type" },         { RT_PK_DICT, "PyDict_Type" },
			{ RT_PK_SET, "PySet_Type" },           { RT_PK_FROZENSET, "PyFrozenSet_Type" },
			{ RT_PK_FUNCTION, "PyFunction_Type" }, { RT_PK_CODE, "PyCode_Type" },
			{ RT_PK_MODULE, "PyModule_Type" },     { RT_PK_TYPE, "PyType_Type" },
			{ RT_PK_CELL, "PyCell_Type" },
		};
		size_t t;

		for (t = 0; t < sizeof(tn) / sizeof(tn[0]); t++) {
			const struct elf_sym *ts = elf_file__find_sym(ef, tn[t].sym);

			if (ts)
				out->types[tn[t].kind] = ts->value;
		}
	}
	u = elf_file__usdts(ef, &nu);
	for (i = 0; i < nu; i++) {
		if (strcmp(u[i].provider, "python"))
			continue;
		if (!strcmp(u[i].name, "function__return")) {
			out->ret_pc = u[i].pc;
			out->ret_sema = u[i].semaphore;
		} else if (!strcmp(u[i].name, "audit")) {
			out->audit_pc = u[i].pc;
		}
	}
	table = find_table(ef, eval->value, eval->value + eval->size);
	if (!table || elf_file__read_vaddr(ef, table, target, sizeof(target))) {
		snprintf(why, len, "%s: the eval loop's opcode table was not found",
			 elf_file__path(ef));
		return -ENOENT;
	}
	if (elf_file__is_dyn(ef)) {
		/* the slots are 0 in the file: take the relocations again */
		struct reloc *r;
		size_t n;

		if (relative_relocs(elf_file__path(ef), &r, &n) == 0) {
			for (i = 0; i < n; i++)
				if (r[i].off >= table && r[i].off < table + sizeof(target))
					target[(r[i].off - table) / 8] = r[i].addend;
			free(r);
		}
	}
	for (k = 0; k < 2; k++) {
		__u64 h = target[k ? OP_RESUME : OP_RESUME_QUICK], off;
		__u8 code[160];
		long b;

		if (elf_file__read_vaddr(ef, h, code, sizeof(code)))
			continue;
		b = py_sites_first_branch(code, sizeof(code), h);
		if (b < 0 || elf_file__vaddr_to_offset(ef, h + b, &off))
			continue;
		out->resume[out->nresume] = h + b;
		out->resume_off[out->nresume] = off;
		out->resume_reg[out->nresume] = py_sites_frame_reg(code, sizeof(code), h, b,
								   layout->iframe_prev_instr);
		out->nresume++;
	}
	if (out->ret_sema) {
		__u8 *code = malloc(eval->size);
		int k2;

		if (code && !elf_file__read_vaddr(ef, eval->value, code, eval->size))
			out->nexit = py_sites_exit_sites(code, eval->size, eval->value,
							 out->ret_sema, layout->iframe_prev_instr,
							 layout->iframe_stacktop, out->exit,
							 out->exit_reg, 8);
		free(code);
		for (k2 = 0; k2 < out->nexit; k2++)
			if (elf_file__vaddr_to_offset(ef, out->exit[k2], &out->exit_off[k2])) {
				out->nexit = 0; /* all of them or none */
				break;
			}
	}
	if (out->nresume != 2) {
		snprintf(why, len, "%s: no probe site found in the RESUME handlers",
			 elf_file__path(ef));
		return -ENOENT;
	}
	return 0;
}
