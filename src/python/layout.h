/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CPython layouts runtrace knows, one struct rt_py_offsets per minor
 * version, taken from that version's headers (tests/unit/test_py_layout.c
 * checks them with offsetof against the installed headers).
 */
#ifndef RUNTRACE_PYTHON_LAYOUT_H
#define RUNTRACE_PYTHON_LAYOUT_H

#include <stddef.h>
#include <linux/types.h>

#include "runtrace/python.h"

#define PY_VERSION_HEX_OF(maj, min, mic) \
	((__u32)(maj) << 24 | (__u32)(min) << 16 | (__u32)(mic) << 8)

/* The table for @version_hex's major.minor, or NULL (unsupported). */
const struct rt_py_offsets *pylayout_find(__u32 version_hex);
/* "3.11.2" from a PY_VERSION_HEX into @buf. */
char *pylayout_version_str(__u32 version_hex, char *buf, size_t len);

#endif
