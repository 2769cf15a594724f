#include "str.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"

char *util_strdup(const char *s)
{
	return s ? util_strndup(s, strlen(s)) : NULL;
}

char *util_strndup(const char *s, size_t n)
{
	char *p;

	if (!s)
		return NULL;
	p = malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int util_strieq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

int util_strnieq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
			return 0;
		if (!a[i])
			return 1;
	}
	return 1;
}

int util_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

char *util_trim(char *s)
{
	char *start = s, *end;
	size_t n;

	while (*start && isspace((unsigned char)*start))
		start++;
	end = start + strlen(start);
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	n = (size_t)(end - start);
	memmove(s, start, n);
	s[n] = '\0';
	return s;
}

int util_parse_ll(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

size_t util_edit_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[65], best;

	if (la > 64 || lb > 64)
		return cap + 1;
	if ((la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost =
			    tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1])
			        ? 0
			        : 1;
			size_t v = diag + cost;
			if (row[j] + 1 < v)
				v = row[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb] > cap ? cap + 1 : row[lb];
}

const char *util_nearest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t i, best_d, cap = strlen(word) / 3 + 1;

	if (cap > 3)
		cap = 3;
	best_d = cap + 1;
	for (i = 0; i < n; i++) {
		size_t d;
		if (!candidates[i])
			continue;
		d = util_edit_distance(word, candidates[i], cap);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	/* A prefix match ("first" for "firstname") is a useful hint too. */
	if (!best && strlen(word) >= 3) {
		for (i = 0; i < n; i++)
			if (candidates[i] && util_strnieq(candidates[i], word, strlen(word)))
				return candidates[i];
	}
	return best;
}

const char *util_memfind(const char *hay, size_t n, const char *needle, size_t nlen)
{
	size_t i;

	if (nlen == 0)
		return hay;
	for (i = 0; i + nlen <= n; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0)
			return hay + i;
	return NULL;
}

int util_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;

	while (p < e) {
		unsigned c = *p;
		size_t k;
		unsigned cp;
		if (c < 0x80) {
			p++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			k = 1;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			k = 2;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			k = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if ((size_t)(e - p) <= k)
			return 0;
		for (size_t i = 1; i <= k; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) ||
		    (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		p += k + 1;
	}
	return 1;
}

void util_mask_secret(const char *secret, char *out, size_t outsz)
{
	size_t n = secret ? strlen(secret) : 0, w = 0, i;

	if (!outsz)
		return;
	for (i = 0; i < 4 && w + 1 < outsz; i++)
		out[w++] = '*';
	/* Only a long secret shows its tail: four characters of 16+ reveal nothing useful. */
	if (n >= 16)
		for (i = n - 4; i < n && w + 1 < outsz; i++)
			out[w++] = secret[i];
	else
		for (i = 0; i < 4 && w + 1 < outsz; i++)
			out[w++] = '*';
	out[w] = '\0';
}

int util_errf(char *err, size_t errsz, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errsz) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return code;
}

int util_parse_utc_date(const char *s, long long *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0, consumed = 0;
	struct tm tm;
	time_t t;

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &consumed) != 3 || consumed != 10)
		return -1;
	if (s[10]) {
		int c2 = 0;
		if ((s[10] != ' ' && s[10] != 'T') ||
		    (sscanf(s + 11, "%2d:%2d:%2d%n", &h, &mi, &se, &c2) != 3 &&
		     (se = 0, sscanf(s + 11, "%2d:%2d%n", &h, &mi, &c2) != 2)))
			return -1;
		if (s[11 + c2] != '\0' && strcmp(s + 11 + c2, "Z") != 0)
			return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || y < 1)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	if (tm.tm_mday != d) /* Feb 30 normalised into March */
		return -1;
	*out = (long long)t;
	return 0;
}
