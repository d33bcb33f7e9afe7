/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * runtrace profile: what bpf/profile.bpf.c and src/profile/ share.
 *
 * Each function the user chose has a slot (0..RT_PROFILE_SLOTS-1); a
 * stack is summarised as a mask of the slots whose functions are on it
 * (a function on the stack twice counts once).  Python functions are
 * matched by code-object address (map profile_codes: address -> mask,
 * filled by userspace as it names the code objects the kernel meets;
 * each entry also holds an identity of the object, rt_profile_code_id(),
 * for a freed code object's address may be reused by another), native
 * ones by address range (profile_ranges).
 *
 * On CPU: a cpu-clock perf event per CPU; a tick that finds a thread of
 * the target running adds the time since that CPU's previous tick (the
 * period) to each slot of its stack's mask.
 * Off CPU: at sched_switch a target thread leaving the CPU leaves its
 * mask and the time (profile_off); when it comes back, the time away is
 * added to each slot.  Only a stack with a code object the map does not
 * know yet makes a record (struct rt_profile_unknown): userspace names
 * those code objects, puts their masks in the map and charges the record
 * itself.
 */
#ifndef RUNTRACE_PROFILE_H
#define RUNTRACE_PROFILE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#include "runtrace/events.h"
#include "runtrace/python.h"

#define RT_PROFILE_SLOTS 64        /* functions profiled at once (bits of a mask) */
#define RT_PROFILE_MAX_FRAMES 192  /* Python frames walked per stack */
#define RT_PROFILE_MAX_IPS 127     /* native frames (perf's default max stack) */
#define RT_PROFILE_MAX_UNKNOWN 8   /* unknown code objects a record carries */
#define RT_PROFILE_SCAN_WORDS 16   /* words at a user stack pointer looked at for return addresses */
#define RT_PROFILE_RANGES 64       /* native address ranges */
#define RT_PROFILE_CODES 32768     /* code objects the kernel remembers (LRU) */

/* What a code object is (map profile_codes, by address). */
struct rt_profile_code {
	__u64 mask;         /* slots of the functions it is (0: none) */
	__u64 id;           /* rt_profile_code_id() of the object named */
};

/* An identity of a code object beyond its address: its co_filename and
 * co_qualname pointers, mixed; never 0. */
static inline __u64 rt_profile_code_id(__u64 filename, __u64 qualname)
{
	return (filename ^ (qualname * 0x9e3779b97f4a7c15ull)) | 1;
}

/* Per slot and per CPU (map profile_counts). */
struct rt_profile_count {
	__u64 on_ns;        /* sampled time on CPU: the time the ticks stand for */
	__u64 on_samples;   /* ticks that found the function on the stack */
	__u64 off_ns;       /* time off CPU (blocked, or waiting for a CPU) */
	__u64 off_count;    /* intervals off CPU charged */
};

/* Per CPU (map profile_stats, one entry). */
struct rt_profile_stats {
	__u64 samples;      /* ticks that found a thread of the target running */
	__u64 on_ns;        /* the time they stand for: the target's sampled time on CPU */
	__u64 switches;     /* times a thread of the target left a CPU */
	__u64 records;      /* stacks sent to userspace (unknown code objects) */
	__u64 lost;         /* stacks whose record the ring buffer could not take */
	__u64 faults;       /* Python stacks cut short by an unreadable frame */
	__u64 truncated;    /* stacks deeper than the walker goes */
	__u64 no_tstate;    /* ticks on a thread with no Python thread state (yet) */
	__u64 late;         /* late ticks due before the thread they found got the CPU */
	__u64 long_ticks;   /* samples standing for more than 1.5 periods (the timer fell behind) */
	__u64 long_ns;      /* the time they stood for beyond one period */
};

/* The target's CPython (map profile_python). */
struct rt_profile_python {
	__u64 runtime;               /* address of _PyRuntime */
	struct rt_py_offsets off;    /* its version's layout */
};

/* A native function: [start, end] in the target's address space. */
struct rt_profile_range {
	__u64 start;
	__u64 end;          /* last byte (inclusive) */
	__u64 mask;         /* the slot's bit */
};

/* What a thread left when it went off CPU (map profile_off, by tid). */
struct rt_profile_off {
	__u64 ts;           /* bpf_ktime_get_ns() when it left */
	__u64 mask;         /* slots on its stack */
	__u32 nunknown;     /* code objects not in profile_codes at the time */
	__u32 overflow;     /* more of them than code[] holds */
	__u64 code[RT_PROFILE_MAX_UNKNOWN];    /* their addresses */
	__u64 id[RT_PROFILE_MAX_UNKNOWN];      /* their rt_profile_code_id() */
	__u64 globals[RT_PROFILE_MAX_UNKNOWN]; /* the frames' f_globals (module name) */
};

/* Whether the 8 bytes @c before a return address end with a call
 * instruction: call rel32 (e8), call *disp32(%rip) (ff 15), call *%reg
 * (ff d0-d7, 41 ff d0-d7).  A word on the stack that points into a
 * function, past its first byte, after a call, is taken for a return
 * address into it (x86-64). */
static inline int rt_profile_call_before(const __u8 *c)
{
	return c[3] == 0xe8 || (c[2] == 0xff && c[3] == 0x15) ||
	       (c[6] == 0xff && (c[7] & 0xf8) == 0xd0);
}

enum rt_profile_kind {
	RT_PROFILE_ON_CPU = 1,  /* a tick: charge_ns is the time it stands for */
	RT_PROFILE_OFF_CPU = 2, /* a return to the CPU: charge_ns is the time away */
};

/* A stack with code objects userspace has not named yet: userspace names
 * them, adds their slots to @mask and charges @charge_ns to each slot once. */
struct rt_profile_unknown {
	struct rt_hdr hdr;
	__u32 kind;         /* enum rt_profile_kind */
	__u32 nunknown;
	__u64 charge_ns;
	__u64 mask;         /* slots of the known frames */
	__u64 code[RT_PROFILE_MAX_UNKNOWN];
	__u64 id[RT_PROFILE_MAX_UNKNOWN];
	__u64 globals[RT_PROFILE_MAX_UNKNOWN];
};

#endif /* RUNTRACE_PROFILE_H */
