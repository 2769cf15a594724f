#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static int grow(util_buf *b, size_t extra)
{
	size_t need, n;
	char *p;

	if (b->cap && (extra > b->cap || b->len > b->cap - extra)) {
		b->overflow = 1;
		return -1;
	}
	if (extra > (size_t)-1 - b->len - 1) {
		b->oom = 1;
		return -1;
	}
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	n = b->alloc ? b->alloc : 64;
	while (n < need)
		n = n > ((size_t)-1) / 2 ? need : n * 2;
	p = realloc(b->data, n);
	if (!p) {
		b->oom = 1;
		return -1;
	}
	b->data = p;
	b->alloc = n;
	return 0;
}

int util_buf_append(util_buf *b, const void *data, size_t len)
{
	if (grow(b, len) < 0)
		return -1;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int util_buf_puts(util_buf *b, const char *s)
{
	return util_buf_append(b, s, strlen(s));
}

int util_buf_putc(util_buf *b, char c)
{
	return util_buf_append(b, &c, 1);
}

int util_buf_vprintf(util_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || grow(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int util_buf_printf(util_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = util_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int util_buf_ensure(util_buf *b)
{
	/* An append lost for lack of memory left a hole: the contents are not what was
	 * built, even if a later, smaller append found room. */
	if (b->oom)
		return -1;
	return util_buf_append(b, "", 0);
}

void util_buf_clear(util_buf *b)
{
	b->len = 0;
	b->overflow = 0;
	b->oom = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *util_buf_detach(util_buf *b)
{
	char *p;

	if (util_buf_ensure(b) < 0)
		return NULL;
	p = b->data;
	b->data = NULL;
	b->len = b->alloc = 0;
	return p;
}

void util_buf_release(util_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
	b->overflow = b->oom = 0;
}

int util_buf_failed(const util_buf *b)
{
	return b->overflow || b->oom;
}
