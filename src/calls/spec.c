// SPDX-License-Identifier: GPL-2.0-only
/* Hook specs, native signatures and --error-if: pure parsers. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls/spec.h"
#include "util/opts.h"

static const struct {
	const char *name;
	enum call_ctype t;
} ctypes[] = {
	{ "int", CT_INT }, { "long", CT_LONG }, { "ssize_t", CT_LONG },
	{ "uint", CT_UINT }, { "unsigned", CT_UINT }, { "size_t", CT_ULONG },
	{ "ulong", CT_ULONG },
	{ "hex", CT_HEX }, { "ptr", CT_PTR }, { "void*", CT_PTR },
	{ "str", CT_STR }, { "char*", CT_STR }, { "string", CT_STR },
	{ "char", CT_CHAR }, { "void", CT_NONE },
};

__s64 call_ctype_value(enum call_ctype t, __u64 reg)
{
	switch (t) {
	case CT_INT: return (__s32)reg;
	case CT_UINT: return (__u32)reg;
	case CT_CHAR: return (__s8)reg;
	default: return (__s64)reg;
	}
}

/* One type word (spaces inside removed: "char *" == "char*"). */
static int parse_ctype(const char *s, size_t len, enum call_ctype *t)
{
	char w[32];
	size_t i, n = 0;

	for (i = 0; i < len && n < sizeof(w) - 1; i++)
		if (!isspace((unsigned char)s[i]))
			w[n++] = s[i];
	w[n] = 0;
	if (strncmp(w, "const", 5) == 0 && n > 5)
		memmove(w, w + 5, n - 4);
	for (i = 0; i < sizeof(ctypes) / sizeof(ctypes[0]); i++)
		if (!strcmp(w, ctypes[i].name)) {
			*t = ctypes[i].t;
			return 0;
		}
	return -EINVAL;
}

static bool valid_dotted(const char *s)
{
	bool dot = true; /* no leading dot */

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (dot)
				return false;
			dot = true;
			continue;
		}
		if (!(isalnum((unsigned char)*s) || *s == '_' || (unsigned char)*s >= 0x80))
			return false;
		if (dot && isdigit((unsigned char)*s))
			return false;
		dot = false;
	}
	return !dot;
}

/* "(str, int) -> int" after the symbol. */
static int parse_sig(const char *s, struct call_sig *sig, char *err, size_t errlen)
{
	const char *p = s, *end;

	sig->ret = CT_INT;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '(') {
		sig->given = true;
		end = strchr(p, ')');
		if (!end)
			return opts_fail(err, errlen, "missing ')' in the signature '%s'", s);
		p++;
		while (p < end) {
			const char *comma = memchr(p, ',', end - p);
			const char *w = p, *we = comma ? comma : end;

			while (w < we && isspace((unsigned char)*w))
				w++;
			if (we - w == 3 && !strncmp(w, "...", 3))
				break;
			if (we == w && !comma && sig->nargs == 0)
				break; /* "()" */
			if (sig->nargs == CALL_SIG_MAX)
				return opts_fail(err, errlen, "at most %d argument types", CALL_SIG_MAX);
			if (parse_ctype(w, we - w, &sig->args[sig->nargs]) ||
			    sig->args[sig->nargs] == CT_NONE) {
				if (we - w == 4 && !strncmp(w, "void", 4) && sig->nargs == 0 && !comma)
					break;
				return opts_fail(err, errlen,
						 "unknown type '%.*s' (int, uint, hex, ptr, str, char)",
						 (int)(we - w), w);
			}
			sig->nargs++;
			p = comma ? comma + 1 : end;
		}
		p = end + 1;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (!strncmp(p, "->", 2)) {
		p += 2;
		if (parse_ctype(p, strlen(p), &sig->ret))
			return opts_fail(err, errlen, "unknown return type '%s'", p);
		sig->given = true;
		return 0;
	}
	if (*p)
		return opts_fail(err, errlen, "unexpected '%s' after the symbol", p);
	return 0;
}

int call_spec_parse(const char *s, struct call_spec *out, char *err, size_t errlen)
{
	const char *colon, *paren;
	int ret;

	memset(out, 0, sizeof(*out));
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return opts_fail(err, errlen, "empty hook");
	out->text = strdup(s);
	if (!out->text)
		return -ENOMEM;
	if (!strncmp(s, "audit:", 6)) {
		out->kind = CALL_SPEC_AUDIT;
		if (!s[6] || strlen(s + 6) >= 64 || strpbrk(s + 6, " \t()")) {
			call_spec_free(out);
			return opts_fail(err, errlen, "invalid audit event '%s'", s);
		}
		out->name = strdup(s + 6);
		return out->name ? 0 : -ENOMEM;
	}
	paren = strchr(s, '(');
	colon = strchr(s, ':');
	/* a C++ name has "::" in it: the object is before the first single ':' */
	while (colon && colon[1] == ':')
		colon = strchr(colon + 2, ':');
	if (colon && (!paren || colon < paren)) {
		const char *sym = colon + 1, *symend;

		out->kind = CALL_SPEC_NATIVE;
		out->lib = strndup(s, colon - s);
		symend = paren ? paren : sym + strcspn(sym, " -");
		while (symend > sym && isspace((unsigned char)symend[-1]))
			symend--;
		out->name = strndup(sym, symend - sym);
		if (!out->lib || !out->name) {
			call_spec_free(out);
			return -ENOMEM;
		}
		if (!*out->lib || !*out->name) {
			call_spec_free(out);
			return opts_fail(err, errlen, "invalid native hook '%s': expected LIB:SYMBOL", s);
		}
		ret = parse_sig(symend, &out->sig, err, errlen);
		if (ret)
			call_spec_free(out);
		return ret;
	}
	if (!valid_dotted(s) || strlen(s) >= 120) {
		call_spec_free(out);
		return opts_fail(err, errlen,
				 "invalid hook '%s': expected module.func, Class.method, audit:EVENT or LIB:SYMBOL",
				 s);
	}
	out->kind = CALL_SPEC_PYTHON;
	out->name = strdup(s);
	return out->name ? 0 : -ENOMEM;
}

void call_spec_free(struct call_spec *s)
{
	if (!s)
		return;
	free(s->text);
	free(s->name);
	free(s->lib);
	memset(s, 0, sizeof(*s));
}

int call_spec_file_parse(const char *text, int (*add)(void *ctx, const char *spec,
						     char *err, size_t errlen),
			 void *ctx, char *err, size_t errlen)
{
	const char *p = text;
	int line = 0, ret;

	while (*p) {
		const char *nl = strchr(p, '\n'), *e = nl ? nl : p + strlen(p), *b = p;
		char buf[512];

		line++;
		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (b < e && *b != '#') {
			if ((size_t)(e - b) >= sizeof(buf))
				return opts_fail(err, errlen, "line %d: too long", line);
			memcpy(buf, b, e - b);
			buf[e - b] = 0;
			ret = add(ctx, buf, err, errlen);
			if (ret) {
				char why[400];

				snprintf(why, sizeof(why), "%s", err);
				return opts_fail(err, errlen, "line %d: %s", line, why);
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

const char *call_spec_suffix(const char *name, int i)
{
	const char *p = name + strlen(name);
	int k = -1;

	while (p > name) {
		p--;
		if (*p == '.') {
			if (++k == i)
				return p + 1;
		}
	}
	return ++k == i ? name : NULL;
}

int call_errif_parse(const char *s, struct call_errif *out, char *err, size_t errlen)
{
	static const struct {
		const char *op;
		enum call_cmp c;
	} ops[] = { { "<=", CMP_LE }, { ">=", CMP_GE }, { "==", CMP_EQ }, { "!=", CMP_NE },
		    { "<", CMP_LT }, { ">", CMP_GT } };
	const char *p = s;
	char *end;
	unsigned i;

	memset(out, 0, sizeof(*out));
	while (isspace((unsigned char)*p))
		p++;
	if (strncmp(p, "ret", 3))
		goto bad;
	p += 3;
	while (isspace((unsigned char)*p))
		p++;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strncmp(p, ops[i].op, strlen(ops[i].op)))
			break;
	if (i == sizeof(ops) / sizeof(ops[0]))
		goto bad;
	out->op = ops[i].c;
	p += strlen(ops[i].op);
	while (isspace((unsigned char)*p))
		p++;
	errno = 0;
	out->value = strtoll(p, &end, 0);
	if (end == p || errno)
		goto bad;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		goto bad;
	out->set = true;
	return 0;
bad:
	return opts_fail(err, errlen, "invalid --error-if '%s': expected ret OP NUMBER (OP: < <= > >= == !=)", s);
}

bool call_errif_match(const struct call_errif *e, __s64 ret)
{
	if (!e->set)
		return false;
	switch (e->op) {
	case CMP_LT: return ret < e->value;
	case CMP_LE: return ret <= e->value;
	case CMP_GT: return ret > e->value;
	case CMP_GE: return ret >= e->value;
	case CMP_EQ: return ret == e->value;
	case CMP_NE: return ret != e->value;
	}
	return false;
}
