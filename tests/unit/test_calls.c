// SPDX-License-Identifier: GPL-2.0-only
/* The pure parts of runtrace calls: hook specs, signatures, --error-if,
 * event lines, the reader over copied segments, the opcode-table finder
 * and the first-branch finder, the builtin helper's answers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "calls/capmem.h"
#include "calls/fmt.h"
#include "calls/pysites.h"
#include "calls/resolve.h"
#include "calls/spec.h"
#include "runtrace/calls.h"

static void test_specs(void **state)
{
	struct call_spec s;
	char err[256];

	assert_int_equal(call_spec_parse("subprocess.Popen.__init__", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, CALL_SPEC_PYTHON);
	assert_string_equal(s.name, "subprocess.Popen.__init__");
	call_spec_free(&s);
	assert_int_equal(call_spec_parse("audit:socket.connect", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, CALL_SPEC_AUDIT);
	assert_string_equal(s.name, "socket.connect");
	call_spec_free(&s);
	assert_int_equal(call_spec_parse("libc:open(str, int) -> int", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, CALL_SPEC_NATIVE);
	assert_string_equal(s.lib, "libc");
	assert_string_equal(s.name, "open");
	assert_int_equal(s.sig.nargs, 2);
	assert_int_equal(s.sig.args[0], CT_STR);
	assert_int_equal(s.sig.args[1], CT_INT);
	assert_int_equal(s.sig.ret, CT_INT);
	call_spec_free(&s);
	assert_int_equal(call_spec_parse("./app:ns::Klass::parse(const char *, size_t)", &s, err,
					 sizeof(err)), 0);
	assert_string_equal(s.lib, "./app");
	assert_string_equal(s.name, "ns::Klass::parse");
	assert_int_equal(s.sig.args[0], CT_STR);
	assert_int_equal(s.sig.args[1], CT_ULONG);
	call_spec_free(&s);
	assert_int_equal(call_spec_parse("libc:getpid()", &s, err, sizeof(err)), 0);
	assert_int_equal(s.sig.nargs, 0);
	assert_true(s.sig.given);
	call_spec_free(&s);
	assert_int_equal(call_spec_parse("libc:open(strr)", &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "strr"));
	assert_int_equal(call_spec_parse("a..b", &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(call_spec_parse("1abc.d", &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(call_spec_parse("", &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(call_spec_parse(":open", &s, err, sizeof(err)), -EINVAL);
}

static int count_add(void *ctx, const char *spec, char *err, size_t errlen)
{
	struct call_spec s;

	if (call_spec_parse(spec, &s, err, errlen))
		return -EINVAL;
	call_spec_free(&s);
	(*(int *)ctx)++;
	return 0;
}

static void test_spec_file(void **state)
{
	char err[256];
	int n = 0;

	assert_int_equal(call_spec_file_parse("# hooks\nio.open\n\n  libc:open(str)  \n", count_add,
					      &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_int_equal(call_spec_file_parse("io.open\nbad..name\n", count_add, &n, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "line 2"));
}

static void test_suffixes(void **state)
{
	assert_string_equal(call_spec_suffix("a.b.c", 0), "c");
	assert_string_equal(call_spec_suffix("a.b.c", 1), "b.c");
	assert_string_equal(call_spec_suffix("a.b.c", 2), "a.b.c");
	assert_null(call_spec_suffix("a.b.c", 3));
	assert_string_equal(call_spec_suffix("f", 0), "f");
	assert_null(call_spec_suffix("f", 1));
}

static void test_errif(void **state)
{
	struct call_errif e;
	char err[256];

	assert_int_equal(call_errif_parse("ret<0", &e, err, sizeof(err)), 0);
	assert_true(call_errif_match(&e, -1));
	assert_false(call_errif_match(&e, 0));
	assert_int_equal(call_errif_parse(" ret == -1 ", &e, err, sizeof(err)), 0);
	assert_true(call_errif_match(&e, -1));
	assert_false(call_errif_match(&e, -2));
	assert_int_equal(call_errif_parse("ret!=0x10", &e, err, sizeof(err)), 0);
	assert_false(call_errif_match(&e, 16));
	assert_int_equal(call_errif_parse("ret>=", &e, err, sizeof(err)), -EINVAL);
	assert_int_equal(call_errif_parse("x<0", &e, err, sizeof(err)), -EINVAL);
	assert_int_equal(call_ctype_value(CT_INT, 0xffffffffull), -1);
	assert_int_equal(call_ctype_value(CT_LONG, 0xffffffffull), 0xffffffffll);
}

static void test_lines(void **state)
{
	struct strbuf sb = { 0 };
	struct call_out o = { .event = "start", .hook = "io.open", .kind = "builtin", .pid = 7,
			      .tid = 9, .ident = 140176730859328ull, .has_args = true, .nargs = 1,
			      .args = { "'/tmp/t.txt'" }, .has_kwargs = true, .dur_ns = -1 };

	call_out_text(&o, &sb);
	assert_string_equal(sb.buf, "start  io.open                  tid 140176730859328 (native 9)"
				    "  args ('/tmp/t.txt',) kwargs {}\n");
	strbuf_reset(&sb);
	call_out_json(&o, &sb);
	assert_non_null(strstr(sb.buf, "\"args\":[\"'/tmp/t.txt'\"],\"kwargs\":{}"));
	assert_non_null(strstr(sb.buf, "\"thread_ident\":140176730859328"));
	strbuf_reset(&sb);
	o = (struct call_out){ .event = "error", .hook = "Test1.div", .kind = "python", .tid = 9,
			       .exc_type = "ZeroDivisionError",
			       .exc_repr = "ZeroDivisionError('division by zero')", .dur_ns = 12000 };
	call_out_text(&o, &sb);
	assert_string_equal(sb.buf, "error  Test1.div                tid 9  raised "
				    "ZeroDivisionError('division by zero')  12.0 us\n");
	strbuf_reset(&sb);
	call_cstr_repr("a\"b\n\x01", 5, 64, false, &sb);
	assert_string_equal(sb.buf, "\"a\\\"b\\n\\x01\"");
	strbuf_reset(&sb);
	call_cstr_repr("abcdef", 6, 3, false, &sb);
	assert_string_equal(sb.buf, "\"abc\"...");
	strbuf_free(&sb);
}

static size_t put_seg(unsigned char *rec, size_t o, __u64 addr, const char *bytes, size_t len,
		      size_t span, unsigned flags)
{
	struct rt_call_seg s = { .addr = addr, .len = len, .flags = flags, .span = span };

	memcpy(rec + o, &s, sizeof(s));
	memcpy(rec + o + sizeof(s), bytes, len);
	return o + sizeof(s) + ((len + 7) & ~7u);
}

static void test_capmem(void **state)
{
	unsigned char rec[256] = { 0 };
	struct capmem *c = capmem__new();
	struct memreader *m;
	char buf[16];
	size_t len, o = 0;

	assert_non_null(c);
	m = capmem__reader(c);
	o = put_seg(rec, o, 0x1000, "hello", 5, 0, 0);
	/* a table whose tail was not copied: its entries read as zeros */
	o = put_seg(rec, o, 0x2000, "ab", 2, 8, RT_CALL_SEG_TYPE);
	/* a later copy of the first bytes, with a span over "hello": the
	 * bytes copied win over a span's zeros */
	o = put_seg(rec, o, 0xffe, "xy", 2, 16, 0);
	assert_int_equal(capmem__set(c, rec, o, 3), 0);
	assert_int_equal(memreader__read(m, 0x1001, buf, 4), 0);
	assert_memory_equal(buf, "ello", 4);
	/* past the bytes and past every span: nothing is made up */
	assert_int_equal(memreader__read(m, 0x1003, buf, 4), 0);
	assert_memory_equal(buf, "lo\0\0", 4);
	assert_int_equal(memreader__read(m, 0x1003, buf, 12), -EFAULT);
	assert_int_equal(memreader__read(m, 0x2001, buf, 7), 0);
	assert_memory_equal(buf, "b\0\0\0\0\0\0", 7);
	assert_int_equal(memreader__read(m, 0x2001, buf, 8), -EFAULT);
	assert_int_equal(memreader__read(m, 0x3000, buf, 1), -EFAULT);
	assert_non_null(capmem__find(c, 0x1000, &len));
	assert_int_equal(len, 5);
	assert_int_equal(capmem__flagged(c, RT_CALL_SEG_TYPE, 0), 0x2000);
	assert_int_equal(capmem__flagged(c, RT_CALL_SEG_TYPE, 1), 0);
	/* a length past the record's end */
	assert_int_equal(capmem__set(c, rec, sizeof(struct rt_call_seg) + 2, 1), -EINVAL);
	assert_int_equal(memreader__read(m, 0x1000, buf, 1), -EFAULT);
	capmem__free(c);
}

static void test_opcode_table(void **state)
{
	__u64 vals[300];
	int i;

	for (i = 0; i < 300; i++)
		vals[i] = 0x5000 + i;
	/* the table at slot 20: opcodes 181..254 share _unknown_opcode */
	for (i = 181; i <= 254; i++)
		vals[20 + i] = 0x9999;
	assert_int_equal(py_sites_find_table(vals, 300, 0x5000, 0x6000), 20);
	assert_int_equal(py_sites_find_table(vals, 300, 0x7000, 0x8000), -1);
	vals[20 + 200] = 1;
	assert_int_equal(py_sites_find_table(vals, 300, 0x5000, 0x6000), -1);
}

static void test_first_branch(void **state)
{
	/* RESUME_QUICK of Debian's python3.11: mov; mov; lea; mov; cmp; jg */
	static const __u8 code[] = { 0x48, 0x8b, 0x44, 0x24, 0x08, 0x4c, 0x89, 0x7b, 0x38, 0x4d,
				     0x8d, 0x57, 0x02, 0x8b, 0x40, 0x64, 0x41, 0x83, 0xf9, 0x01,
				     0x7f, 0x08, 0x90, 0x90 };
	/* an indirect jump first: not a site the kernel emulates */
	static const __u8 ind[] = { 0x48, 0x89, 0xc3, 0xff, 0xe0, 0x74, 0x02 };

	assert_int_equal(py_sites_first_branch(code, sizeof(code), 0x52b29d), 20);
	assert_int_equal(py_sites_first_branch(ind, sizeof(ind), 0x1000), -1);
}

static void test_frame_reg(void **state)
{
	/* RESUME_QUICK, RESUME of Debian's python3.11 (objdump): the frame is
	 * rbx, where `mov %r15,0x38(%rbx)` stores next_instr into prev_instr */
	static const __u8 quick[] = { 0x48, 0x8b, 0x44, 0x24, 0x08, 0x4c, 0x89, 0x7b, 0x38, 0x4d,
				      0x8d, 0x57, 0x02, 0x8b, 0x40, 0x64, 0x41, 0x83, 0xf9, 0x01,
				      0x7f, 0x08 };
	static const __u8 resume[] = { 0x48, 0x8b, 0x7b, 0x20, 0x4c, 0x89, 0x7b, 0x38, 0x4d, 0x8d,
				       0x57, 0x02, 0x0f, 0xb7, 0x47, 0x34, 0x66, 0x85, 0xc0, 0x74,
				       0x10 };
	/* the frame's register written before the branch (mov 0x8(%rsp),%ebx) */
	static const __u8 clobbered[] = { 0x4c, 0x89, 0x7b, 0x38, 0x8b, 0x5c, 0x24, 0x08, 0x74, 0x02 };
	/* a store at another displacement: no frame known */
	static const __u8 other[] = { 0x4c, 0x89, 0x7b, 0x30, 0x74, 0x02 };

	assert_int_equal(py_sites_frame_reg(quick, sizeof(quick), 0x52b29d, 20, 56), RT_REG_RBX);
	assert_int_equal(py_sites_frame_reg(resume, sizeof(resume), 0x52f5d1, 19, 56), RT_REG_RBX);
	assert_int_equal(py_sites_frame_reg(clobbered, sizeof(clobbered), 0x1000, 8, 56),
			 RT_REG_NONE);
	assert_int_equal(py_sites_frame_reg(other, sizeof(other), 0x1000, 4, 56), RT_REG_NONE);
	assert_int_equal(py_sites_frame_reg(quick, sizeof(quick), 0x52b29d, -1, 56), RT_REG_NONE);
}

static void test_helper_lines(void **state)
{
	struct builtin_loc l;

	assert_int_equal(builtin_parse_line("builtin /usr/bin/python3.11 0x1ac260 130\n", &l), 0);
	assert_int_equal(l.kind, BUILTIN_C);
	assert_string_equal(l.path, "/usr/bin/python3.11");
	assert_int_equal(l.offset, 0x1ac260);
	assert_int_equal(l.ml_flags, 130);
	assert_int_equal(builtin_parse_line("missing no nosuch in module os\n", &l), 0);
	assert_int_equal(l.kind, BUILTIN_MISSING);
	assert_string_equal(l.why, "no nosuch in module os");
	assert_int_equal(builtin_parse_line("python\n", &l), 0);
	assert_int_equal(l.kind, BUILTIN_PYTHON);
	assert_int_equal(builtin_parse_line("what\n", &l), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_specs),
		cmocka_unit_test(test_spec_file),
		cmocka_unit_test(test_suffixes),
		cmocka_unit_test(test_errif),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_capmem),
		cmocka_unit_test(test_opcode_table),
		cmocka_unit_test(test_first_branch),
		cmocka_unit_test(test_frame_reg),
		cmocka_unit_test(test_helper_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
