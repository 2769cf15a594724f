/* jsonnum: integers beyond int64 kept as their exact text (contract in jsonnum.h). */
#include "jsonnum.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "banned.h"

/* Whether the digits d[0..n) (no sign, no leading zero) exceed the int64 range. */
static int beyond_int64(const char *d, size_t n, int negative)
{
	const char *lim = negative ? "9223372036854775808" : "9223372036854775807";

	if (n != 19)
		return n > 19;
	return memcmp(d, lim, 19) > 0;
}

/* Length of the number token at p (up to end); *integer says whether it is a plain integer. */
static size_t number_len(const char *p, const char *end, int *integer)
{
	const char *q = p;

	*integer = 1;
	while (q < end && (strchr("0123456789+-.eE", *q) != NULL)) {
		if (*q == '.' || *q == 'e' || *q == 'E')
			*integer = 0;
		q++;
	}
	return (size_t)(q - p);
}

/* Whether the token is -?[1-9][0-9]* beyond int64 (a valid JSON integer jansson refuses). */
static int is_big_integer(const char *p, size_t n)
{
	int negative = n && *p == '-';
	size_t i;

	if (negative) {
		p++;
		n--;
	}
	if (n == 0 || *p == '0')
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return beyond_int64(p, n, negative);
}

/* Length of the string literal at p (the opening quote included), up to end. */
static size_t string_len(const char *p, const char *end)
{
	const char *q = p + 1;

	while (q < end && *q != '"')
		q += (*q == '\\' && q + 1 < end) ? 2 : 1;
	return (size_t)((q < end ? q + 1 : end) - p);
}

char *util_json_quote_bigints(const char *s, size_t n, size_t *outlen)
{
	util_buf b = UTIL_BUF_INIT;
	const char *p = s, *end = s + n;

	while (p < end) {
		size_t k = 1;
		int integer;

		if (*p == '"') {
			k = string_len(p, end);
		} else if (*p == '-' || (*p >= '0' && *p <= '9')) {
			k = number_len(p, end, &integer);
			if (integer && is_big_integer(p, k)) {
				util_buf_putc(&b, '"');
				util_buf_append(&b, p, k);
				util_buf_putc(&b, '"');
				p += k;
				continue;
			}
		}
		util_buf_append(&b, p, k);
		p += k;
	}
	if (util_buf_ensure(&b) < 0 || util_buf_failed(&b)) {
		util_buf_release(&b);
		return NULL;
	}
	*outlen = b.len;
	return util_buf_detach(&b);
}

json_t *util_json_loadb(const char *buf, size_t len, size_t flags, json_error_t *error)
{
	json_error_t first;
	json_t *v = json_loadb(buf, len, flags, &first);
	char *quoted;
	size_t qlen;

	if (v || strncmp(first.text, "too big", 7) != 0) {
		if (error)
			*error = first;
		return v;
	}
	quoted = util_json_quote_bigints(buf, len, &qlen);
	if (!quoted) {
		if (error)
			*error = first;
		return NULL;
	}
	v = json_loadb(quoted, qlen, flags, error);
	free(quoted);
	return v;
}
