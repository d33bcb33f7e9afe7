/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef SYMTEST_H
#define SYMTEST_H
extern int symtest_lib_data[16];
int symtest_lib_func(int x);
int symtest_cxx_method(int x) __asm__("_ZN2ns5Klass6methodEi");
#include <stdint.h>
/* 0: symtest_lib_func, 1: symtest_lib_data, 2: ns::Klass::method */
uintptr_t symtest_lib_addr(int which);
#endif
