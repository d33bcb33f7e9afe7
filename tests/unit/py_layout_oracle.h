/* SPDX-License-Identifier: GPL-2.0-only */
/* X(field, expression) for every field of struct rt_py_offsets, from the
 * CPython headers in scope (RT_PY_NONE: the version has no such field). */
#if PY_VERSION_HEX >= 0x030c0000
#define RT_OFF_TSTATE_CURRENT RT_PY_NONE
#define RT_OFF_MODULES offsetof(PyInterpreterState, imports.modules)
#define RT_OFF_CUREXC_TYPE RT_PY_NONE
#define RT_OFF_CUREXC_VALUE offsetof(PyThreadState, current_exception)
#define RT_OFF_FUNC offsetof(_PyInterpreterFrame, f_funcobj)
#define RT_OFF_LONG_DIGITS offsetof(PyLongObject, long_value.ob_digit)
#define RT_OFF_LONG_TAG offsetof(PyLongObject, long_value.lv_tag)
#define RT_OWNER_CSTACK FRAME_OWNED_BY_CSTACK
#define RT_MANAGED_VALUES RT_PY_NONE
#else
#define RT_OFF_TSTATE_CURRENT offsetof(_PyRuntimeState, gilstate.tstate_current)
#define RT_OFF_MODULES offsetof(PyInterpreterState, modules)
#define RT_OFF_CUREXC_TYPE offsetof(PyThreadState, curexc_type)
#define RT_OFF_CUREXC_VALUE offsetof(PyThreadState, curexc_value)
#define RT_OFF_FUNC offsetof(_PyInterpreterFrame, f_func)
#define RT_OFF_LONG_DIGITS offsetof(PyLongObject, ob_digit)
#define RT_OFF_LONG_TAG RT_PY_NONE
#define RT_OWNER_CSTACK RT_PY_NONE
#define RT_MANAGED_VALUES (__u32)(-4 * (int)sizeof(PyObject *))
#endif
#define PY_OFFSETS(X) \
	X(runtime_interp_head, offsetof(_PyRuntimeState, interpreters.head)) \
	X(runtime_interp_main, offsetof(_PyRuntimeState, interpreters.main)) \
	X(runtime_tstate_current, RT_OFF_TSTATE_CURRENT) \
	X(interp_next, offsetof(PyInterpreterState, next)) \
	X(interp_tstate_head, offsetof(PyInterpreterState, threads.head)) \
	X(interp_modules, RT_OFF_MODULES) \
	X(tstate_next, offsetof(PyThreadState, next)) \
	X(tstate_interp, offsetof(PyThreadState, interp)) \
	X(tstate_cframe, offsetof(PyThreadState, cframe)) \
	X(cframe_current_frame, offsetof(_PyCFrame, current_frame)) \
	X(frameobj_frame, offsetof(PyFrameObject, f_frame)) \
	X(tstate_thread_id, offsetof(PyThreadState, thread_id)) \
	X(tstate_native_thread_id, offsetof(PyThreadState, native_thread_id)) \
	X(tstate_curexc_type, RT_OFF_CUREXC_TYPE) \
	X(tstate_curexc_value, RT_OFF_CUREXC_VALUE) \
	X(iframe_func, RT_OFF_FUNC) \
	X(iframe_globals, offsetof(_PyInterpreterFrame, f_globals)) \
	X(iframe_builtins, offsetof(_PyInterpreterFrame, f_builtins)) \
	X(iframe_locals, offsetof(_PyInterpreterFrame, f_locals)) \
	X(iframe_code, offsetof(_PyInterpreterFrame, f_code)) \
	X(iframe_previous, offsetof(_PyInterpreterFrame, previous)) \
	X(iframe_prev_instr, offsetof(_PyInterpreterFrame, prev_instr)) \
	X(iframe_stacktop, offsetof(_PyInterpreterFrame, stacktop)) \
	X(iframe_owner, offsetof(_PyInterpreterFrame, owner)) \
	X(iframe_localsplus, offsetof(_PyInterpreterFrame, localsplus)) \
	X(code_flags, offsetof(PyCodeObject, co_flags)) \
	X(code_argcount, offsetof(PyCodeObject, co_argcount)) \
	X(code_firstlineno, offsetof(PyCodeObject, co_firstlineno)) \
	X(code_nlocalsplus, offsetof(PyCodeObject, co_nlocalsplus)) \
	X(code_localsplusnames, offsetof(PyCodeObject, co_localsplusnames)) \
	X(code_localspluskinds, offsetof(PyCodeObject, co_localspluskinds)) \
	X(code_filename, offsetof(PyCodeObject, co_filename)) \
	X(code_name, offsetof(PyCodeObject, co_name)) \
	X(code_qualname, offsetof(PyCodeObject, co_qualname)) \
	X(code_linetable, offsetof(PyCodeObject, co_linetable)) \
	X(code_firsttraceable, offsetof(PyCodeObject, _co_firsttraceable)) \
	X(code_adaptive, offsetof(PyCodeObject, co_code_adaptive)) \
	X(ob_type, offsetof(PyObject, ob_type)) \
	X(ob_size, offsetof(PyVarObject, ob_size)) \
	X(tp_name, offsetof(PyTypeObject, tp_name)) \
	X(tp_basicsize, offsetof(PyTypeObject, tp_basicsize)) \
	X(tp_itemsize, offsetof(PyTypeObject, tp_itemsize)) \
	X(tp_flags, offsetof(PyTypeObject, tp_flags)) \
	X(tp_base, offsetof(PyTypeObject, tp_base)) \
	X(tp_dict, offsetof(PyTypeObject, tp_dict)) \
	X(tp_dictoffset, offsetof(PyTypeObject, tp_dictoffset)) \
	X(ht_qualname, offsetof(PyHeapTypeObject, ht_qualname)) \
	X(ht_cached_keys, offsetof(PyHeapTypeObject, ht_cached_keys)) \
	X(unicode_length, offsetof(PyASCIIObject, length)) \
	X(unicode_state, offsetof(PyASCIIObject, state)) \
	X(unicode_ascii_data, sizeof(PyASCIIObject)) \
	X(unicode_compact_data, sizeof(PyCompactUnicodeObject)) \
	X(unicode_legacy_data, offsetof(PyUnicodeObject, data)) \
	X(bytes_sval, offsetof(PyBytesObject, ob_sval)) \
	X(long_digits, RT_OFF_LONG_DIGITS) \
	X(long_tag, RT_OFF_LONG_TAG) \
	X(owner_cstack, RT_OWNER_CSTACK) \
	X(managed_values, RT_MANAGED_VALUES) \
	X(managed_dict, (__u32)(-3 * (int)sizeof(PyObject *))) \
	X(float_value, offsetof(PyFloatObject, ob_fval)) \
	X(complex_value, offsetof(PyComplexObject, cval)) \
	X(tuple_items, offsetof(PyTupleObject, ob_item)) \
	X(list_items, offsetof(PyListObject, ob_item)) \
	X(dict_used, offsetof(PyDictObject, ma_used)) \
	X(dict_keys, offsetof(PyDictObject, ma_keys)) \
	X(dict_values, offsetof(PyDictObject, ma_values)) \
	X(dictkeys_log2_size, offsetof(PyDictKeysObject, dk_log2_size)) \
	X(dictkeys_log2_index_bytes, offsetof(PyDictKeysObject, dk_log2_index_bytes)) \
	X(dictkeys_kind, offsetof(PyDictKeysObject, dk_kind)) \
	X(dictkeys_nentries, offsetof(PyDictKeysObject, dk_nentries)) \
	X(dictkeys_indices, offsetof(PyDictKeysObject, dk_indices)) \
	X(dictentry_size, sizeof(PyDictKeyEntry)) \
	X(dictuentry_size, sizeof(PyDictUnicodeEntry)) \
	X(set_used, offsetof(PySetObject, used)) \
	X(set_mask, offsetof(PySetObject, mask)) \
	X(set_table, offsetof(PySetObject, table)) \
	X(func_code, offsetof(PyFunctionObject, func_code)) \
	X(func_globals, offsetof(PyFunctionObject, func_globals)) \
	X(func_name, offsetof(PyFunctionObject, func_name)) \
	X(func_qualname, offsetof(PyFunctionObject, func_qualname)) \
	X(func_module, offsetof(PyFunctionObject, func_module)) \
	X(cell_ref, offsetof(PyCellObject, ob_ref)) \
	X(module_dict, offsetof(PyModuleObject, md_dict)) \
	X(exc_args, offsetof(PyBaseExceptionObject, args))
