/* err: the sandbox's error record, and clipping untrusted text for messages. */
#include "sbx_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

int sbx_err_set(sbx_err *e, int status, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->status = status;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof e->text, fmt, ap);
	va_end(ap);
	return -1;
}

const char *sbx_clip(const char *s, char *out, size_t outsz)
{
	size_t i = 0, w = 0, max = 60;

	if (!outsz)
		return out;
	if (!s)
		s = "";
	for (; s[i] && w + 1 < outsz && i < max; i++)
		out[w++] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	if (s[i] && outsz > 4) {
		/* Never leave half a UTF-8 character: if the last one is cut, drop it whole. */
		size_t start = w;
		while (start > 0 && ((unsigned char)out[start - 1] & 0xC0) == 0x80)
			start--;
		if (start > 0 && (unsigned char)out[start - 1] >= 0xC0) {
			unsigned char lead = (unsigned char)out[start - 1];
			size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
			if (w - (start - 1) < need)
				w = start - 1;
		}
		if (w + 4 > outsz)
			w = outsz - 4;
		memcpy(out + w, "...", 3);
		w += 3;
	}
	out[w] = '\0';
	return out;
}
