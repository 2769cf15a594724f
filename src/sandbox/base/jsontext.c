/* jsontext: writing JSON text directly, for the hot paths that skip jansson. */
#include "sbx_json.h"

#include <string.h>

#include "util.h"
#include "banned.h"

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	size_t k = *p < 0xC0 ? 0 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : *p < 0xF8 ? 4 : 0;

	if (!k || k > n || !util_utf8_valid((const char *)p, k))
		return 0;
	return k;
}

int sbx_json_put_string(util_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;

	util_buf_putc(b, '"');
	while (p < end) {
		unsigned char c = *p;
		const char *esc = NULL;
		char u[6];
		size_t k;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0x80 && (k = utf8_seq(p, (size_t)(end - p))) != 0) {
			p += k;
			continue;
		}
		/* Flush the plain run, then write this byte escaped. */
		util_buf_append(b, run, (size_t)(p - run));
		if (c == '"')
			esc = "\\\"";
		else if (c == '\\')
			esc = "\\\\";
		else if (c == '\n')
			esc = "\\n";
		else if (c == '\r')
			esc = "\\r";
		else if (c == '\t')
			esc = "\\t";
		else if (c >= 0x80)
			esc = "\xef\xbf\xbd"; /* U+FFFD for a byte that is not UTF-8 */
		else {
			memcpy(u, "\\u00", 4);
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			util_buf_append(b, u, 6);
		}
		if (esc)
			util_buf_puts(b, esc);
		p++;
		run = p;
	}
	util_buf_append(b, run, (size_t)(p - run));
	util_buf_putc(b, '"');
	return util_buf_failed(b) ? -1 : 0;
}
