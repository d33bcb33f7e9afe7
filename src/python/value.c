// SPDX-License-Identifier: GPL-2.0-only
/* Decoded Python values: Python's repr() and a JSON tree.  Pure. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "python/value.h"

const struct pyval_limits PYVAL_LIMITS_DEFAULT = {.depth = 4, .items = 64, .str_len = 256};

static const char *const kind_names[] = {
	[PYV_NONE] = "none", [PYV_BOOL] = "bool", [PYV_INT] = "int", [PYV_FLOAT] = "float",
	[PYV_COMPLEX] = "complex", [PYV_STR] = "str", [PYV_BYTES] = "bytes",
	[PYV_TUPLE] = "tuple", [PYV_LIST] = "list", [PYV_DICT] = "dict", [PYV_SET] = "set",
	[PYV_FROZENSET] = "frozenset", [PYV_INSTANCE] = "instance",
	[PYV_FUNCTION] = "function", [PYV_EXCEPTION] = "exception", [PYV_TYPE] = "type",
	[PYV_MODULE] = "module", [PYV_CODE] = "code", [PYV_OTHER] = "other",
	[PYV_CYCLE] = "cycle", [PYV_CUT] = "cut", [PYV_UNREADABLE] = "unreadable",
};

const char *pyval_kind_name(enum pyval_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "?";
}

void pyval_free(struct pyval *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		pyval_free(v->items[i].key);
		pyval_free(v->items[i].value);
	}
	free(v->items);
	free(v->type_name);
	free(v->type_module);
	free(v->text);
	free(v);
}

/* ---- str, bytes ---- */

/* Decode one UTF-8 sequence at s (len > 0); *adv = bytes used.  Invalid
 * bytes come back as themselves (0x80..0xff) one at a time. */
static __u32 utf8_next(const unsigned char *s, size_t len, size_t *adv)
{
	__u32 c = s[0];
	size_t need, i;

	*adv = 1;
	if (c < 0x80)
		return c;
	if ((c & 0xe0) == 0xc0)
		need = 1, c &= 0x1f;
	else if ((c & 0xf0) == 0xe0)
		need = 2, c &= 0x0f;
	else if ((c & 0xf8) == 0xf0)
		need = 3, c &= 0x07;
	else
		return s[0];
	if (len < need + 1)
		return s[0];
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return s[0];
		c = c << 6 | (s[i] & 0x3f);
	}
	*adv = need + 1;
	return c;
}

/* Py_UNICODE_ISPRINTABLE for non-ASCII code points, approximated: the
 * C1 controls, the Unicode spaces other than ' ', format characters,
 * line/paragraph separators, surrogates, private use and noncharacters
 * are not printable (repr escapes them). */
static bool printable_nonascii(__u32 c)
{
	if (c < 0xa1 || c == 0xad)
		return false;
	if (c == 0x1680 || (c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
	    (c >= 0x205f && c <= 0x2064) || c == 0x3000 || c == 0xfeff ||
	    (c >= 0xfff9 && c <= 0xfffb) || (c >= 0xd800 && c <= 0xf8ff) ||
	    (c & 0xfffe) == 0xfffe || c >= 0xe0000 || c == 0x61c || c == 0x180e)
		return false;
	return true;
}

void py_str_repr(const char *str, size_t len, struct strbuf *sb)
{
	const unsigned char *s = (const unsigned char *)str;
	char quote = '\'';
	size_t i, adv;

	if (memchr(s, '\'', len) && !memchr(s, '"', len))
		quote = '"';
	strbuf_addc(sb, quote);
	for (i = 0; i < len; i += adv) {
		__u32 c = utf8_next(s + i, len - i, &adv);

		if (c == (__u32)quote || c == '\\') {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, (char)c);
		} else if (c == '\t') {
			strbuf_adds(sb, "\\t");
		} else if (c == '\n') {
			strbuf_adds(sb, "\\n");
		} else if (c == '\r') {
			strbuf_adds(sb, "\\r");
		} else if (c < 0x20 || c == 0x7f) {
			strbuf_addf(sb, "\\x%02x", c);
		} else if (c < 0x7f) {
			strbuf_addc(sb, (char)c);
		} else if (printable_nonascii(c)) {
			strbuf_add(sb, s + i, adv);
		} else if (c <= 0xff) {
			strbuf_addf(sb, "\\x%02x", c);
		} else if (c <= 0xffff) {
			strbuf_addf(sb, "\\u%04x", c);
		} else {
			strbuf_addf(sb, "\\U%08x", c);
		}
	}
	strbuf_addc(sb, quote);
}

void py_bytes_repr(const unsigned char *s, size_t len, struct strbuf *sb)
{
	char quote = '\'';
	size_t i;

	if (memchr(s, '\'', len) && !memchr(s, '"', len))
		quote = '"';
	strbuf_addc(sb, 'b');
	strbuf_addc(sb, quote);
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == quote || c == '\\') {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, (char)c);
		} else if (c == '\t') {
			strbuf_adds(sb, "\\t");
		} else if (c == '\n') {
			strbuf_adds(sb, "\\n");
		} else if (c == '\r') {
			strbuf_adds(sb, "\\r");
		} else if (c < 0x20 || c >= 0x7f) {
			strbuf_addf(sb, "\\x%02x", c);
		} else {
			strbuf_addc(sb, (char)c);
		}
	}
	strbuf_addc(sb, quote);
}

/* ---- float: repr's shortest round-trip form ---- */

/* The fewest significant digits that read back as @d: digits into @dig
 * (no dot), the decimal exponent of the first digit into *exp10. */
static void shortest_digits(double d, char *dig, size_t diglen, int *exp10)
{
	char buf[40];
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* buf: "d.ddddde[+-]XX" */
	{
		char *e = strchr(buf, 'e');
		size_t o = 0;
		char *p;

		*exp10 = atoi(e + 1);
		for (p = buf; p < e && o + 1 < diglen; p++)
			if (*p >= '0' && *p <= '9')
				dig[o++] = *p;
		/* drop trailing zeros of the mantissa */
		while (o > 1 && dig[o - 1] == '0')
			o--;
		dig[o] = '\0';
	}
}

/* float_repr_style 'short' as in Python/pystrtod.c: repr 'r' mode;
 * @add_dot_0: "1.0" rather than "1" (floats; complex parts do not). */
static void float_repr(double d, bool add_dot_0, struct strbuf *sb)
{
	char dig[32];
	int exp10, decpt, nd, i;

	if (isnan(d)) {
		strbuf_adds(sb, "nan");
		return;
	}
	if (isinf(d)) {
		strbuf_adds(sb, d < 0 ? "-inf" : "inf");
		return;
	}
	if (signbit(d)) {
		strbuf_addc(sb, '-');
		d = -d;
	}
	if (d == 0) {
		strbuf_adds(sb, add_dot_0 ? "0.0" : "0");
		return;
	}
	shortest_digits(d, dig, sizeof(dig), &exp10);
	nd = (int)strlen(dig);
	decpt = exp10 + 1; /* digits "123", decpt 1 -> 1.23 */
	if (decpt <= -4 || decpt > 16) {
		/* exponent form: d[.ddd]e[+-]XX, two exponent digits at least */
		strbuf_addc(sb, dig[0]);
		if (nd > 1) {
			strbuf_addc(sb, '.');
			strbuf_adds(sb, dig + 1);
		}
		strbuf_addf(sb, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
		return;
	}
	if (decpt <= 0) {
		strbuf_adds(sb, "0.");
		for (i = decpt; i < 0; i++)
			strbuf_addc(sb, '0');
		strbuf_adds(sb, dig);
		return;
	}
	for (i = 0; i < decpt; i++)
		strbuf_addc(sb, i < nd ? dig[i] : '0');
	if (nd > decpt) {
		strbuf_addc(sb, '.');
		strbuf_adds(sb, dig + decpt);
	} else if (add_dot_0) {
		strbuf_adds(sb, ".0");
	}
}

void py_float_repr(double d, struct strbuf *sb)
{
	float_repr(d, true, sb);
}

/* complex_repr: "(1+2j)", "2j", "(-0-1j)" */
static void complex_repr(double re, double im, struct strbuf *sb)
{
	if (re == 0 && !signbit(re)) {
		float_repr(im, false, sb);
		strbuf_addc(sb, 'j');
		return;
	}
	strbuf_addc(sb, '(');
	float_repr(re, false, sb);
	if (!signbit(im) || isnan(im))
		strbuf_addc(sb, '+');
	float_repr(im, false, sb);
	strbuf_adds(sb, "j)");
}

/* ---- repr ---- */

static const char *short_type_name(const char *tp_name)
{
	const char *dot = strrchr(tp_name, '.');

	return dot ? dot + 1 : tp_name;
}

/* "module.Name" as Python's object.__repr__ and type.__repr__ print it */
static void qualified_type(const struct pyval *v, struct strbuf *sb)
{
	if (v->type_module && strcmp(v->type_module, "builtins"))
		strbuf_addf(sb, "%s.%s", v->type_module, v->type_name ? v->type_name : "?");
	else
		strbuf_adds(sb, v->type_name ? v->type_name : "?");
}

static void items_repr(const struct pyval *v, bool dict, struct strbuf *sb)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		if (i)
			strbuf_adds(sb, ", ");
		if (dict) {
			pyval_repr(v->items[i].key, sb);
			strbuf_adds(sb, ": ");
		}
		pyval_repr(v->items[i].value, sb);
	}
	if (v->truncated)
		strbuf_adds(sb, v->n ? ", ..." : "...");
}

void pyval_repr(const struct pyval *v, struct strbuf *sb)
{
	if (!v) {
		strbuf_adds(sb, "<NULL>");
		return;
	}
	switch (v->kind) {
	case PYV_NONE:
		strbuf_adds(sb, "None");
		break;
	case PYV_BOOL:
		strbuf_adds(sb, v->b ? "True" : "False");
		break;
	case PYV_INT:
		strbuf_adds(sb, v->text ? v->text : "?");
		if (v->truncated)
			strbuf_adds(sb, "...");
		break;
	case PYV_FLOAT:
		py_float_repr(v->f, sb);
		break;
	case PYV_COMPLEX:
		complex_repr(v->f, v->imag, sb);
		break;
	case PYV_STR:
		py_str_repr(v->text ? v->text : "", v->len, sb);
		if (v->truncated)
			strbuf_adds(sb, "...");
		break;
	case PYV_BYTES:
		py_bytes_repr((const unsigned char *)(v->text ? v->text : ""), v->len, sb);
		if (v->truncated)
			strbuf_adds(sb, "...");
		break;
	case PYV_TUPLE:
		strbuf_addc(sb, '(');
		items_repr(v, false, sb);
		if (v->n == 1 && !v->truncated)
			strbuf_addc(sb, ',');
		strbuf_addc(sb, ')');
		break;
	case PYV_LIST:
		strbuf_addc(sb, '[');
		items_repr(v, false, sb);
		strbuf_addc(sb, ']');
		break;
	case PYV_DICT:
		strbuf_addc(sb, '{');
		items_repr(v, true, sb);
		strbuf_addc(sb, '}');
		break;
	case PYV_SET:
	case PYV_FROZENSET:
		if (v->kind == PYV_FROZENSET)
			strbuf_adds(sb, "frozenset(");
		if (!v->total) {
			if (v->kind == PYV_SET)
				strbuf_adds(sb, "set()");
			else
				strbuf_addc(sb, ')');
			break;
		}
		strbuf_addc(sb, '{');
		items_repr(v, false, sb);
		strbuf_addc(sb, '}');
		if (v->kind == PYV_FROZENSET)
			strbuf_addc(sb, ')');
		break;
	case PYV_EXCEPTION: {
		const struct pyval *args = v->n ? v->items[0].value : NULL;

		strbuf_adds(sb, short_type_name(v->type_name ? v->type_name : "?"));
		if (args && args->kind == PYV_TUPLE && args->n == 1 && !args->truncated) {
			strbuf_addc(sb, '(');
			pyval_repr(args->items[0].value, sb);
			strbuf_addc(sb, ')');
		} else if (args && args->kind == PYV_TUPLE) {
			pyval_repr(args, sb);
		} else {
			strbuf_adds(sb, "()");
		}
		break;
	}
	case PYV_FUNCTION:
		strbuf_addf(sb, "<function %s at 0x%" PRIx64 ">", v->text ? v->text : "?",
			    (uint64_t)v->addr);
		break;
	case PYV_TYPE:
		strbuf_adds(sb, "<class '");
		strbuf_adds(sb, v->text ? v->text : "?");
		strbuf_adds(sb, "'>");
		break;
	case PYV_MODULE:
		strbuf_adds(sb, "<module ");
		py_str_repr(v->text ? v->text : "?", v->text ? v->len : 1, sb);
		if (v->n && v->items[0].value && v->items[0].value->kind == PYV_STR) {
			strbuf_adds(sb, " from ");
			pyval_repr(v->items[0].value, sb);
		}
		strbuf_addc(sb, '>');
		break;
	case PYV_CODE:
		strbuf_addf(sb, "<code object %s at 0x%" PRIx64 ">", v->text ? v->text : "?",
			    (uint64_t)v->addr);
		break;
	case PYV_CYCLE:
		if (v->type_name && !strcmp(v->type_name, "list"))
			strbuf_adds(sb, "[...]");
		else if (v->type_name && !strcmp(v->type_name, "dict"))
			strbuf_adds(sb, "{...}");
		else
			strbuf_adds(sb, "...");
		break;
	case PYV_UNREADABLE:
		strbuf_addf(sb, "<unreadable at 0x%" PRIx64 ">", (uint64_t)v->addr);
		break;
	case PYV_INSTANCE:
	case PYV_OTHER:
	case PYV_CUT:
	default:
		strbuf_addc(sb, '<');
		qualified_type(v, sb);
		strbuf_addf(sb, " object at 0x%" PRIx64 ">", (uint64_t)v->addr);
		break;
	}
}

/* ---- JSON ---- */

static void json_double(double d, struct strbuf *sb)
{
	if (isnan(d) || isinf(d)) {
		struct strbuf t = {0};

		py_float_repr(d, &t);
		strbuf_add_json_str(sb, t.buf, t.len);
		strbuf_free(&t);
		return;
	}
	py_float_repr(d, sb); /* repr of a finite float is valid JSON */
}

void pyval_json(const struct pyval *v, struct strbuf *sb)
{
	size_t i;

	if (!v) {
		strbuf_adds(sb, "null");
		return;
	}
	strbuf_addf(sb, "{\"id\":%" PRIu64 ",\"kind\":", (uint64_t)v->addr);
	strbuf_add_json_str(sb, pyval_kind_name(v->kind), strlen(pyval_kind_name(v->kind)));
	strbuf_adds(sb, ",\"type\":");
	if (v->type_name)
		strbuf_add_json_str(sb, v->type_name, strlen(v->type_name));
	else
		strbuf_adds(sb, "null");
	if (v->type_module) {
		strbuf_adds(sb, ",\"module\":");
		strbuf_add_json_str(sb, v->type_module, strlen(v->type_module));
	}
	switch (v->kind) {
	case PYV_BOOL:
		strbuf_adds(sb, v->b ? ",\"value\":true" : ",\"value\":false");
		break;
	case PYV_INT:
		if (v->int_small)
			strbuf_addf(sb, ",\"value\":%" PRId64, (int64_t)v->i);
		else {
			strbuf_adds(sb, ",\"value\":");
			strbuf_add_json_str(sb, v->text ? v->text : "", v->text ? strlen(v->text) : 0);
		}
		break;
	case PYV_FLOAT:
		strbuf_adds(sb, ",\"value\":");
		json_double(v->f, sb);
		break;
	case PYV_COMPLEX:
		strbuf_adds(sb, ",\"value\":[");
		json_double(v->f, sb);
		strbuf_addc(sb, ',');
		json_double(v->imag, sb);
		strbuf_addc(sb, ']');
		break;
	case PYV_STR:
	case PYV_FUNCTION:
	case PYV_TYPE:
	case PYV_MODULE:
	case PYV_CODE:
		strbuf_adds(sb, ",\"value\":");
		strbuf_add_json_str(sb, v->text ? v->text : "", v->len);
		break;
	case PYV_BYTES: {
		struct strbuf t = {0};

		py_bytes_repr((const unsigned char *)(v->text ? v->text : ""), v->len, &t);
		strbuf_adds(sb, ",\"value\":");
		strbuf_add_json_str(sb, t.buf, t.len);
		strbuf_free(&t);
		break;
	}
	default:
		break;
	}
	if (v->truncated)
		strbuf_adds(sb, ",\"truncated\":true");
	if ((v->kind >= PYV_TUPLE && v->kind <= PYV_EXCEPTION) || v->kind == PYV_MODULE) {
		strbuf_addf(sb, ",\"total\":%zu,\"items\":[", v->total);
		for (i = 0; i < v->n; i++) {
			strbuf_adds(sb, i ? ",{" : "{");
			if (v->items[i].key) {
				strbuf_adds(sb, "\"key\":");
				pyval_json(v->items[i].key, sb);
				strbuf_addc(sb, ',');
			}
			strbuf_adds(sb, "\"value\":");
			pyval_json(v->items[i].value, sb);
			strbuf_addc(sb, '}');
		}
		strbuf_addc(sb, ']');
	}
	strbuf_addc(sb, '}');
}
