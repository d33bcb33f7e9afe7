// SPDX-License-Identifier: GPL-2.0-only
/* The request parser (json-c). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "pystep/request.h"

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Member @name of @obj as a string: 0 (NULL when absent or null), or an
 * error. */
static int get_string(struct json_object *obj, const char *name, size_t max, char **out,
		      size_t *len, char *err, size_t errlen)
{
	struct json_object *v;
	const char *s;

	*out = NULL;
	*len = 0;
	if (!json_object_object_get_ex(obj, name, &v) || !v)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return fail(err, errlen, "\"%s\" must be a string", name);
	s = json_object_get_string(v);
	*len = (size_t)json_object_get_string_len(v);
	if (*len > max) {
		snprintf(err, errlen, "\"%s\" is too long: %zu bytes, at most %zu", name, *len, max);
		return -E2BIG;
	}
	*out = malloc(*len + 1);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, s, *len);
	(*out)[*len] = '\0';
	return 0;
}

int pystep_request_parse(const char *text, size_t len, const struct pystep_request_limits *lim,
			 struct pystep_request *out, char *err, size_t errlen)
{
	struct json_tokener *tok = NULL;
	struct json_object *root = NULL, *v;
	struct pystep_request r = {0};
	size_t i, end;
	int err_ = 0;

	for (i = 0; i < len && strchr(" \t\r\n", text[i]); i++)
		;
	if (i == len) {
		snprintf(err, errlen,
			 "no request: expected {\"source\": str, \"input\": str, \"steps\": int}");
		return -ENODATA;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		if (e == json_tokener_continue)
			err_ = fail(err, errlen, "bad JSON: the text ends too soon");
		else
			err_ = fail(err, errlen, "bad JSON at byte %zu: %s",
				    json_tokener_get_parse_end(tok), json_tokener_error_desc(e));
		goto cleanup;
	}
	for (end = json_tokener_get_parse_end(tok); end < len && strchr(" \t\r\n", text[end]); end++)
		;
	if (end != len) {
		err_ = fail(err, errlen, "bad JSON: text after the request at byte %zu", end);
		goto cleanup;
	}
	if (!json_object_is_type(root, json_type_object)) {
		err_ = fail(err, errlen, "the request must be a JSON object");
		goto cleanup;
	}
	err_ = get_string(root, "source", lim->max_source, &r.source, &r.source_len, err, errlen);
	if (!err_)
		err_ = get_string(root, "input", lim->max_input, &r.input, &r.input_len, err, errlen);
	if (err_)
		goto cleanup;
	r.steps = lim->default_steps;
	if (json_object_object_get_ex(root, "steps", &v) && v) {
		int64_t n;

		if (!json_object_is_type(v, json_type_int)) {
			err_ = fail(err, errlen, "\"steps\" must be a whole number");
			goto cleanup;
		}
		errno = 0;
		n = json_object_get_int64(v);
		if (n < 0 || errno) {
			err_ = fail(err, errlen, "\"steps\" must be 0 or more");
			goto cleanup;
		}
		r.steps = n > lim->max_steps ? lim->max_steps : (long)n;
	}
	if (!r.source)
		r.source = strdup("");
	if (!r.input)
		r.input = strdup("");
	if (!r.source || !r.input) {
		err_ = -ENOMEM;
		goto cleanup;
	}
	*out = r;
	memset(&r, 0, sizeof(r));
cleanup:
	if (err_ == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	pystep_request_free(&r);
	json_object_put(root);
	json_tokener_free(tok);
	return err_;
}

void pystep_request_free(struct pystep_request *r)
{
	if (!r)
		return;
	free(r->source);
	free(r->input);
	r->source = r->input = NULL;
}
