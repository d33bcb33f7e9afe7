// SPDX-License-Identifier: GPL-2.0-only
/* CPython layouts per minor version, from CPython's own headers. */
#include <stdio.h>

#include "python/layout.h"
#include "util/util.h"

/* 3.11 (Include/internal/pycore_frame.h, pycore_runtime.h,
 * pycore_interp.h, cpython/pystate.h, cpython/code.h, ... of v3.11.2 and
 * v3.11.7: identical), x86_64. */
static const struct rt_py_offsets py311 = {
	.version = PY_VERSION_HEX_OF(3, 11, 0),
	.runtime_interp_head = 40,
	.runtime_interp_main = 48,
	.runtime_tstate_current = 576,
	.interp_next = 0,
	.interp_tstate_head = 16,
	.interp_modules = 888,
	.tstate_next = 8,
	.tstate_interp = 16,
	.tstate_cframe = 56,
	.cframe_current_frame = 8,
	.tstate_thread_id = 152,
	.tstate_native_thread_id = 160,
	.tstate_curexc_type = 96,
	.tstate_curexc_value = 104,
	.iframe_func = 0,
	.iframe_globals = 8,
	.iframe_builtins = 16,
	.iframe_locals = 24,
	.iframe_code = 32,
	.iframe_previous = 48,
	.iframe_prev_instr = 56,
	.iframe_stacktop = 64,
	.iframe_owner = 69,
	.iframe_localsplus = 72,
	.frameobj_frame = 24,
	.owner_cstack = RT_PY_NONE,
	.code_flags = 48,
	.code_argcount = 56,
	.code_kwonlyargcount = 64,
	.code_firstlineno = 72,
	.code_nlocalsplus = 76,
	.code_localsplusnames = 96,
	.code_localspluskinds = 104,
	.code_filename = 112,
	.code_name = 120,
	.code_qualname = 128,
	.code_linetable = 136,
	.code_firsttraceable = 168,
	.code_adaptive = 184,
	.ob_type = 8,
	.ob_size = 16,
	.tp_name = 24,
	.tp_basicsize = 32,
	.tp_itemsize = 40,
	.tp_flags = 168,
	.tp_base = 256,
	.tp_dict = 264,
	.tp_dictoffset = 288,
	.ht_qualname = 864,
	.ht_cached_keys = 872,
	.managed_dict = (__u32)-24,   /* ((PyObject **)obj)[-3] */
	.managed_values = (__u32)-32, /* ((PyDictValues **)obj)[-4] */
	.unicode_length = 16,
	.unicode_state = 32,
	.unicode_ascii_data = 48,
	.unicode_compact_data = 72,
	.unicode_legacy_data = 72,
	.unicode_kind_shift = 2,
	.unicode_compact_bit = 5,
	.unicode_ascii_bit = 6,
	.bytes_sval = 32,
	.long_digits = 24,
	.long_tag = RT_PY_NONE,
	.float_value = 16,
	.complex_value = 16,
	.tuple_items = 24,
	.list_items = 24,
	.dict_used = 16,
	.dict_keys = 32,
	.dict_values = 40,
	.dictkeys_log2_size = 8,
	.dictkeys_log2_index_bytes = 9,
	.dictkeys_kind = 10,
	.dictkeys_nentries = 24,
	.dictkeys_indices = 32,
	.dictentry_size = 24,
	.dictuentry_size = 16,
	.set_used = 24,
	.set_mask = 32,
	.set_table = 40,
	.func_code = 48,
	.func_globals = 16,
	.func_name = 32,
	.func_qualname = 40,
	.func_module = 104,
	.cell_ref = 16,
	.module_dict = 16,
	.exc_args = 24,
};

/* 3.12 (v3.12.1's headers): the frame starts with f_code, the str
 * header lost wstr, int has lv_tag, a managed dict is a tagged union. */
static const struct rt_py_offsets py312 = {
	.version = PY_VERSION_HEX_OF(3, 12, 0),
	.runtime_interp_head = 40,
	.runtime_interp_main = 48,
	.runtime_tstate_current = RT_PY_NONE, /* a thread-local since 3.12 */
	.interp_next = 0,
	.interp_tstate_head = 72,
	.interp_modules = 944,
	.tstate_next = 8,
	.tstate_interp = 16,
	.tstate_cframe = 56,
	.cframe_current_frame = 0,
	.tstate_thread_id = 136,
	.tstate_native_thread_id = 144,
	.tstate_curexc_type = RT_PY_NONE,
	.tstate_curexc_value = 96, /* current_exception */
	.iframe_func = 16, /* f_funcobj */
	.iframe_globals = 24,
	.iframe_builtins = 32,
	.iframe_locals = 40,
	.iframe_code = 0,
	.iframe_previous = 8,
	.iframe_prev_instr = 56,
	.iframe_stacktop = 64,
	.iframe_owner = 70,
	.iframe_localsplus = 72,
	.frameobj_frame = 24,
	.owner_cstack = 3, /* FRAME_OWNED_BY_CSTACK */
	.code_flags = 48,
	.code_argcount = 52,
	.code_kwonlyargcount = 60,
	.code_firstlineno = 68,
	.code_nlocalsplus = 72,
	.code_localsplusnames = 96,
	.code_localspluskinds = 104,
	.code_filename = 112,
	.code_name = 120,
	.code_qualname = 128,
	.code_linetable = 136,
	.code_firsttraceable = 176,
	.code_adaptive = 192,
	.ob_type = 8,
	.ob_size = 16,
	.tp_name = 24,
	.tp_basicsize = 32,
	.tp_itemsize = 40,
	.tp_flags = 168,
	.tp_base = 256,
	.tp_dict = 264,
	.tp_dictoffset = 288,
	.ht_qualname = 872,
	.ht_cached_keys = 880,
	.managed_dict = (__u32)-24,   /* ((PyObject **)obj)[-3] */
	.managed_values = RT_PY_NONE, /* a tagged PyDictOrValues at -3 */
	.unicode_length = 16,
	.unicode_state = 32,
	.unicode_ascii_data = 40,
	.unicode_compact_data = 56,
	.unicode_legacy_data = 56,
	.unicode_kind_shift = 2,
	.unicode_compact_bit = 5,
	.unicode_ascii_bit = 6,
	.bytes_sval = 32,
	.long_digits = 24,
	.long_tag = 16, /* lv_tag */
	.float_value = 16,
	.complex_value = 16,
	.tuple_items = 24,
	.list_items = 24,
	.dict_used = 16,
	.dict_keys = 32,
	.dict_values = 40,
	.dictkeys_log2_size = 8,
	.dictkeys_log2_index_bytes = 9,
	.dictkeys_kind = 10,
	.dictkeys_nentries = 24,
	.dictkeys_indices = 32,
	.dictentry_size = 24,
	.dictuentry_size = 16,
	.set_used = 24,
	.set_mask = 32,
	.set_table = 40,
	.func_code = 48,
	.func_globals = 16,
	.func_name = 32,
	.func_qualname = 40,
	.func_module = 104,
	.cell_ref = 16,
	.module_dict = 16,
	.exc_args = 24,
};

static const struct rt_py_offsets *const tables[] = {&py311, &py312};

const struct rt_py_offsets *pylayout_find(__u32 version_hex)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tables); i++)
		if ((tables[i]->version >> 16) == (version_hex >> 16))
			return tables[i];
	return NULL;
}

char *pylayout_version_str(__u32 version_hex, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u", version_hex >> 24, (version_hex >> 16) & 0xff,
		 (version_hex >> 8) & 0xff);
	return buf;
}
