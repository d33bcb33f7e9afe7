// SPDX-License-Identifier: GPL-2.0-only
/* Text and JSON forms of one calls event (pure). */
#include <stdio.h>
#include <string.h>

#include "calls/fmt.h"

/* Numbers without printf: a line per hooked call, a reader that keeps
 * up (its CPU is the traced program's when the machine is busy). */
static void add_u64(struct strbuf *sb, unsigned long long v)
{
	char b[24];
	int i = sizeof(b);

	do {
		b[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	strbuf_add(sb, b + i, sizeof(b) - i);
}

static void add_s64(struct strbuf *sb, long long v)
{
	if (v < 0) {
		strbuf_addc(sb, '-');
		add_u64(sb, 0ull - (unsigned long long)v);
	} else {
		add_u64(sb, v);
	}
}

/* @ns as microseconds with one decimal, rounded half up ("12.3"). */
static void add_us(struct strbuf *sb, long long ns)
{
	unsigned long long tenths = ((unsigned long long)ns + 50) / 100;

	add_u64(sb, tenths / 10);
	strbuf_addc(sb, '.');
	strbuf_addc(sb, '0' + tenths % 10);
}

/* @s, then spaces to @width. */
static void add_padded(struct strbuf *sb, const char *s, size_t width)
{
	size_t n = strlen(s);

	strbuf_add(sb, s, n);
	while (n++ < width)
		strbuf_addc(sb, ' ');
}

static void add_args(const struct call_out *o, struct strbuf *sb)
{
	size_t i;

	strbuf_adds(sb, "  args (");
	for (i = 0; i < o->nargs; i++) {
		if (i)
			strbuf_adds(sb, ", ");
		strbuf_adds(sb, o->args[i]);
	}
	if (o->args_cut)
		strbuf_adds(sb, o->nargs ? ", ..." : "...");
	else if (o->nargs == 1 && o->has_kwargs)
		strbuf_addc(sb, ','); /* a Python tuple of one */
	strbuf_addc(sb, ')');
	if (!o->has_kwargs)
		return;
	strbuf_adds(sb, " kwargs {");
	for (i = 0; i < o->nkw; i++) {
		if (i)
			strbuf_adds(sb, ", ");
		strbuf_addc(sb, '\'');
		strbuf_adds(sb, o->kwnames[i]);
		strbuf_adds(sb, "': ");
		strbuf_adds(sb, o->kwvals[i]);
	}
	strbuf_addc(sb, '}');
}

void call_out_text(const struct call_out *o, struct strbuf *sb)
{
	if (o->show_pid) {
		strbuf_adds(sb, "[pid ");
		add_s64(sb, o->pid);
		strbuf_adds(sb, "] ");
	}
	add_padded(sb, o->event, 6);
	strbuf_addc(sb, ' ');
	add_padded(sb, o->hook, 24);
	strbuf_adds(sb, " tid ");
	if (o->ident) {
		add_u64(sb, o->ident);
		strbuf_adds(sb, " (native ");
		add_s64(sb, o->tid);
		strbuf_addc(sb, ')');
	} else {
		add_s64(sb, o->tid);
	}
	if (o->has_args)
		add_args(o, sb);
	if (o->exc_repr) {
		strbuf_adds(sb, "  raised ");
		strbuf_adds(sb, o->exc_repr);
	} else if (o->ret) {
		strbuf_adds(sb, "  return ");
		strbuf_adds(sb, o->ret);
	}
	if (o->dur_ns >= 0) {
		strbuf_adds(sb, "  ");
		add_us(sb, o->dur_ns);
		strbuf_adds(sb, " us");
	}
	strbuf_addc(sb, '\n');
}

static void json_str(struct strbuf *sb, const char *s)
{
	strbuf_add_json_str(sb, s, strlen(s));
}

void call_out_json(const struct call_out *o, struct strbuf *sb)
{
	size_t i;

	strbuf_adds(sb, "{\"event\":");
	json_str(sb, o->event);
	strbuf_adds(sb, ",\"hook\":");
	json_str(sb, o->hook);
	strbuf_adds(sb, ",\"kind\":");
	json_str(sb, o->kind);
	strbuf_adds(sb, ",\"pid\":");
	add_s64(sb, o->pid);
	strbuf_adds(sb, ",\"tid\":");
	add_s64(sb, o->tid);
	if (o->ident) {
		strbuf_adds(sb, ",\"thread_ident\":");
		add_u64(sb, o->ident);
	}
	strbuf_adds(sb, ",\"time_ns\":");
	add_s64(sb, o->realtime_ns);
	if (o->has_args) {
		strbuf_adds(sb, ",\"args\":[");
		for (i = 0; i < o->nargs; i++) {
			if (i)
				strbuf_addc(sb, ',');
			json_str(sb, o->args[i]);
		}
		strbuf_addc(sb, ']');
		if (o->has_kwargs) {
			strbuf_adds(sb, ",\"kwargs\":{");
			for (i = 0; i < o->nkw; i++) {
				if (i)
					strbuf_addc(sb, ',');
				json_str(sb, o->kwnames[i]);
				strbuf_addc(sb, ':');
				json_str(sb, o->kwvals[i]);
			}
			strbuf_addc(sb, '}');
		}
		if (o->args_cut)
			strbuf_adds(sb, ",\"args_cut\":true");
	}
	if (o->ret) {
		strbuf_adds(sb, ",\"return\":");
		json_str(sb, o->ret);
	}
	if (o->exc_repr) {
		strbuf_adds(sb, ",\"exception\":{\"type\":");
		json_str(sb, o->exc_type ? o->exc_type : "");
		strbuf_adds(sb, ",\"repr\":");
		json_str(sb, o->exc_repr);
		strbuf_addc(sb, '}');
	}
	if (o->dur_ns >= 0) {
		strbuf_adds(sb, ",\"duration_us\":");
		add_us(sb, o->dur_ns);
	}
	strbuf_adds(sb, "}\n");
}

void call_cstr_repr(const char *s, size_t len, size_t max, bool cut, struct strbuf *sb)
{
	size_t i;

	if (len > max) {
		len = max;
		cut = true;
	}
	strbuf_addc(sb, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '"': strbuf_adds(sb, "\\\""); break;
		case '\\': strbuf_adds(sb, "\\\\"); break;
		case '\n': strbuf_adds(sb, "\\n"); break;
		case '\t': strbuf_adds(sb, "\\t"); break;
		case '\r': strbuf_adds(sb, "\\r"); break;
		default:
			if (c < 0x20 || c >= 0x7f)
				strbuf_addf(sb, "\\x%02x", c);
			else
				strbuf_addc(sb, c);
		}
	}
	strbuf_addc(sb, '"');
	if (cut)
		strbuf_adds(sb, "...");
}
