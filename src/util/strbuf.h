/* SPDX-License-Identifier: GPL-2.0-only */
/* A growable string.  Allocation failure is fatal (one message, exit 3). */
#ifndef RUNTRACE_STRBUF_H
#define RUNTRACE_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;  /* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
};

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
__attribute__((format(printf, 2, 3)))
void strbuf_addf(struct strbuf *sb, const char *fmt, ...);
/* Append @s as a JSON string literal, quotes included. */
void strbuf_add_json_str(struct strbuf *sb, const char *s, size_t len);
void strbuf_reset(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
/* Write it all to @fd; 0 or -errno. */
int strbuf_write(const struct strbuf *sb, int fd);

#endif
