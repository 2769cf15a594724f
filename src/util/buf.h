/*
 * buf: a growable byte buffer with an optional size cap.
 *
 * The contents are always NUL-terminated (the terminator is not counted in
 * len), so a buffer of text can be handed to string functions directly.
 * A buffer that would grow past its cap refuses the append and sets
 * `overflow`; callers check it once at the end instead of after every append.
 */
#ifndef UTIL_BUF_H
#define UTIL_BUF_H

#include "util_names.h"

#include <stdarg.h>
#include <stddef.h>

typedef struct util_buf {
	char *data;   /* NULL until the first append; NUL-terminated after */
	size_t len;   /* bytes used, not counting the terminator */
	size_t alloc; /* bytes allocated */
	size_t cap;   /* maximum len; 0 = unlimited */
	int overflow; /* set when an append was refused because of cap */
	int oom;      /* set when an allocation failed */
} util_buf;

#define UTIL_BUF_INIT                                                                              \
	{                                                                                          \
		NULL, 0, 0, 0, 0, 0                                                                \
	}

/* Returns 0, or -1 when the append was refused (cap or memory). */
int util_buf_append(util_buf *b, const void *data, size_t len);
int util_buf_puts(util_buf *b, const char *s);
int util_buf_putc(util_buf *b, char c);
int util_buf_printf(util_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int util_buf_vprintf(util_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Make sure the buffer holds a (possibly empty) NUL-terminated string; -1 (and so
 * util_buf_detach NULL) when an earlier append was lost for lack of memory. */
int util_buf_ensure(util_buf *b);
void util_buf_clear(util_buf *b);
/* Give up ownership of the contents (never NULL unless out of memory). */
char *util_buf_detach(util_buf *b);
void util_buf_release(util_buf *b);
/* Whether an append failed since the buffer was initialised or cleared. */
int util_buf_failed(const util_buf *b);

#endif
