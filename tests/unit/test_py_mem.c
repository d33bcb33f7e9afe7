// SPDX-License-Identifier: GPL-2.0-only
/* src/python/mem.c: image readers, recording and replay, the pid reader
 * on this very process (oracle: the bytes themselves). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "python/mem.h"

static void test_segments(void **state)
{
	unsigned char a[16], b[8], buf[32];
	struct mem_segment segs[3] = {
		{0x1000, sizeof(a), a}, {0x1010, sizeof(b), b}, {0x2000, 4, (unsigned char *)"wxyz"},
	};
	struct memreader *m;
	size_t i;

	for (i = 0; i < sizeof(a); i++)
		a[i] = (unsigned char)i;
	memset(b, 0xee, sizeof(b));
	m = memreader__new_segments(segs, 3);
	assert_non_null(m);
	/* adjacent segments read as one */
	assert_int_equal(memreader__read(m, 0x100e, buf, 4), 0);
	assert_int_equal(buf[0], 14);
	assert_int_equal(buf[2], 0xee);
	assert_int_equal(memreader__read(m, 0x1017, buf, 2), -EFAULT); /* past the end */
	assert_int_equal(memreader__read(m, 0xfff, buf, 1), -EFAULT);
	assert_int_equal(memreader__read(m, 0x2000, buf, 4), 0);
	assert_memory_equal(buf, "wxyz", 4);
	memreader__free(m);
}

static void test_record_save_load(void **state)
{
	unsigned char mem[4096], buf[64];
	struct mem_segment seg = {0x7000, sizeof(mem), mem};
	struct memreader *m, *img;
	char path[] = "/tmp/rt-memimg-XXXXXX";
	char s[16];
	size_t i;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	for (i = 0; i < sizeof(mem); i++)
		mem[i] = (unsigned char)(i * 7);
	memcpy(mem + 100, "name\0", 5);
	m = memreader__new_segments(&seg, 1);
	memreader__record(m, 1);
	assert_int_equal(memreader__read(m, 0x7010, buf, 8), 0);
	assert_int_equal(memreader__read(m, 0x7014, buf, 8), 0); /* overlaps the first */
	assert_int_equal(memreader__read(m, 0x7800, buf, 16), 0);
	assert_int_equal(memreader__read_cstr(m, 0x7000 + 100, s, sizeof(s)), 0);
	assert_string_equal(s, "name");
	assert_int_equal(memreader__save_image(m, path), 0);
	memreader__free(m);

	img = memreader__load_image(path);
	assert_non_null(img);
	/* what was read reads the same */
	assert_int_equal(memreader__read(img, 0x7010, buf, 12), 0);
	assert_memory_equal(buf, mem + 0x10, 12);
	assert_int_equal(memreader__read(img, 0x7800, buf, 16), 0);
	assert_memory_equal(buf, mem + 0x800, 16);
	assert_int_equal(memreader__read_cstr(img, 0x7000 + 100, s, sizeof(s)), 0);
	assert_string_equal(s, "name");
	/* what was not, does not */
	assert_int_equal(memreader__read(img, 0x7200, buf, 1), -EFAULT);
	memreader__free(img);
	unlink(path);

	/* not an image */
	assert_null(memreader__load_image("/etc/hostname"));
	assert_int_equal(errno, EINVAL);
}

static void test_pid_self(void **state)
{
	static char big[3 * 4096 + 100];
	struct memreader *m = memreader__new_pid(getpid());
	char buf[sizeof(big)];
	__u64 reads, src, v;
	size_t i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i % 251);
	assert_non_null(m);
	/* across pages, through the cache */
	assert_int_equal(memreader__read(m, (uintptr_t)big, buf, sizeof(big)), 0);
	assert_memory_equal(buf, big, sizeof(big));
	assert_int_equal(memreader__read(m, (uintptr_t)big + 5000, buf, 10), 0);
	assert_memory_equal(buf, big + 5000, 10);
	memreader__stats(m, &reads, &src);
	assert_int_equal(reads, 2);
	assert_true(src <= 5); /* the second read came from the cache */
	/* the cache is dropped on request */
	big[5000] = 'Z';
	memreader__invalidate(m);
	assert_int_equal(memreader__read_u64(m, (uintptr_t)big + 5000, &v), 0);
	assert_int_equal((char)(v & 0xff), 'Z');
	assert_int_equal(memreader__read(m, 8, buf, 8), -EFAULT);
	memreader__free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_record_save_load),
		cmocka_unit_test(test_pid_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
