// SPDX-License-Identifier: GPL-2.0-only
/* Text and JSON forms of one calls event (pure). */
#include <stdio.h>
#include <string.h>

#include "calls/fmt.h"

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
		strbuf_addf(sb, "'%s': %s", o->kwnames[i], o->kwvals[i]);
	}
	strbuf_addc(sb, '}');
}

void call_out_text(const struct call_out *o, struct strbuf *sb)
{
	if (o->show_pid)
		strbuf_addf(sb, "[pid %d] ", o->pid);
	strbuf_addf(sb, "%-6s %-24s ", o->event, o->hook);
	if (o->ident)
		strbuf_addf(sb, "tid %llu (native %d)", (unsigned long long)o->ident, o->tid);
	else
		strbuf_addf(sb, "tid %d", o->tid);
	if (o->has_args)
		add_args(o, sb);
	if (o->exc_repr)
		strbuf_addf(sb, "  raised %s", o->exc_repr);
	else if (o->ret)
		strbuf_addf(sb, "  return %s", o->ret);
	if (o->dur_ns >= 0)
		strbuf_addf(sb, "  %.1f us", o->dur_ns / 1000.0);
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
	strbuf_addf(sb, ",\"pid\":%d,\"tid\":%d", o->pid, o->tid);
	if (o->ident)
		strbuf_addf(sb, ",\"thread_ident\":%llu", (unsigned long long)o->ident);
	strbuf_addf(sb, ",\"time_ns\":%lld", (long long)o->realtime_ns);
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
	if (o->dur_ns >= 0)
		strbuf_addf(sb, ",\"duration_us\":%.1f", o->dur_ns / 1000.0);
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
