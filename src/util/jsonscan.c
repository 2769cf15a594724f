/*
 * The checking scan of jsonscan.h: one pass, no allocation, a fixed stack of
 * UTIL_JSON_DEPTH containers. Every rule below mirrors one of jansson 2.14's
 * (load.c); where matching jansson exactly would take more (integer range,
 * real overflow), the scan refuses and the caller asks jansson.
 */
#include <string.h>

#include "jsonscan.h"
#include "banned.h"

struct scan {
	const unsigned char *p, *end;
	util_json_scan *out;
	util_json_member *pending; /* the top-level member whose value is being read */
	int spaced;
};

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_ws_run(struct scan *s)
{
	const unsigned char *p = s->p;

	while (p < s->end && is_ws(*p))
		p++;
	s->spaced = 1;
	s->p = p;
}

/* Most tokens follow each other without white space: that case costs a test. */
static inline void skip_ws(struct scan *s)
{
	if (s->p < s->end && is_ws(*s->p))
		skip_ws_run(s);
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The four hex digits after "\u" at p, or -1. */
static long hex4(const unsigned char *p, const unsigned char *end)
{
	long v = 0;
	int i, h;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((h = hexval(p[i])) < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* An escape at p (p[0] == '\\'): its length, or 0 when jansson refuses it. */
static size_t escape_len(const unsigned char *p, const unsigned char *end)
{
	long u, lo;

	if (end - p < 2)
		return 0;
	if (strchr("\"\\/bfnrt", p[1]) && p[1])
		return 2;
	if (p[1] != 'u' || (u = hex4(p + 2, end)) <= 0) /* \u0000: refused without ALLOW_NUL */
		return 0;
	if (u >= 0xDC00 && u <= 0xDFFF)
		return 0; /* a low surrogate alone */
	if (u < 0xD800 || u > 0xDBFF)
		return 6;
	if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || (lo = hex4(p + 8, end)) < 0xDC00 ||
	    lo > 0xDFFF)
		return 0;
	return 12;
}

/* A UTF-8 sequence at p (*p >= 0x80): its length, or 0 when it is not valid UTF-8. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = *p;
	size_t n, i;
	unsigned long v;

	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) ||
	    (n == 4 && (v < 0x10000 || v > 0x10FFFF)))
		return 0;
	return n;
}

/* Bytes a string's plain run stops at: the quote, the backslash, controls, non-ASCII. */
static int stops_run(unsigned char c)
{
	return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
}

/* A string at s->p (on its opening quote). *escaped says whether it held an escape. */
static int scan_string(struct scan *s, int *escaped)
{
	const unsigned char *p = s->p + 1, *end = s->end;
	size_t n;

	*escaped = 0;
	while (p < end) {
		unsigned char c;
		while (p < end && !stops_run(*p))
			p++;
		if (p == end)
			break;
		c = *p;
		if (c == '"') {
			s->p = p + 1;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			if (!(n = escape_len(p, end)))
				return -1;
			*escaped = 1;
		} else if (c >= 0x80) {
			if (!(n = utf8_len(p, end)))
				return -1;
		} else {
			n = 1;
		}
		p += n;
	}
	return -1;
}

static size_t digits(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *q = p;

	while (q < end && *q >= '0' && *q <= '9')
		q++;
	return (size_t)(q - p);
}

/*
 * A number at s->p, by JSON's grammar. An integer (no '.', no exponent) must
 * have at most 18 digits (jansson refuses one outside int64); a real's
 * magnitude must stay below 1e301 (jansson refuses an overflow).
 */
static int scan_number(struct scan *s)
{
	const unsigned char *p = s->p, *end = s->end;
	size_t nint, nexp;
	long mag, ex = 0;
	int real = 0, neg = 0;

	if (p < end && *p == '-')
		p++;
	nint = digits(p, end);
	if (nint == 0 || (nint > 1 && *p == '0'))
		return -1;
	mag = *p == '0' ? 0 : (long)nint;
	p += nint;
	if (p < end && *p == '.') {
		real = 1;
		if (!digits(++p, end))
			return -1;
		p += digits(p, end);
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		real = 1;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			neg = *p++ == '-';
		nexp = digits(p, end);
		if (nexp == 0 || nexp > 4)
			return -1;
		for (; nexp; nexp--)
			ex = ex * 10 + (*p++ - '0');
	}
	if ((!real && nint > 18) || (real && (mag > 301 || ex > 301 || (!neg && mag + ex > 301))))
		return -1;
	s->p = p;
	return 0;
}

static int scan_literal(struct scan *s)
{
	const char *word = *s->p == 't' ? "true" : *s->p == 'f' ? "false" : "null";
	size_t n = *s->p == 'f' ? 5 : 4;

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

/* A top-level key: recorded unless escaped, repeated or one too many (then refused). */
static int top_key(struct scan *s, const unsigned char *k, size_t len, int escaped)
{
	util_json_scan *o = s->out;
	size_t i;

	if (escaped || o->nmembers == UTIL_JSON_MEMBERS)
		return -1;
	for (i = 0; i < o->nmembers; i++)
		if (o->members[i].key_len == len && memcmp(o->members[i].key, k, len) == 0)
			return -1;
	s->pending = &o->members[o->nmembers++];
	s->pending->key = (const char *)k;
	s->pending->key_len = len;
	return 0;
}

/* A key and its colon; at depth 1 the member is recorded. */
static int scan_key(struct scan *s, int depth)
{
	const unsigned char *k;
	int escaped;

	skip_ws(s);
	if (s->p == s->end || *s->p != '"')
		return -1;
	k = s->p + 1;
	if (scan_string(s, &escaped) < 0)
		return -1;
	if (depth == 1 && top_key(s, k, (size_t)(s->p - 1 - k), escaped) < 0)
		return -1;
	skip_ws(s);
	if (s->p == s->end || *s->p != ':')
		return -1;
	s->p++;
	return 0;
}

static int scan_scalar(struct scan *s)
{
	int escaped;

	if (*s->p == '"')
		return scan_string(s, &escaped);
	if (*s->p == '-' || (*s->p >= '0' && *s->p <= '9'))
		return scan_number(s);
	return scan_literal(s);
}

/*
 * The walk: a value, then what may follow it in its container, until the
 * top-level container closes. stack holds the open containers' brackets.
 */
static int scan_walk(struct scan *s)
{
	unsigned char stack[UTIL_JSON_DEPTH];
	int depth = 0;

	for (;;) {
		unsigned char c;
		skip_ws(s);
		if (s->p == s->end)
			return -1;
		c = *s->p;
		if (depth == 1 && s->pending)
			s->pending->value = (const char *)s->p;
		if (c == '{' || c == '[') {
			if (depth == UTIL_JSON_DEPTH)
				return -1;
			stack[depth++] = c;
			s->p++;
			skip_ws(s);
			if (s->p < s->end && *s->p == (c == '{' ? '}' : ']')) {
				s->p++;
				depth--;
			} else {
				if (c == '{' && scan_key(s, depth) < 0)
					return -1;
				continue;
			}
		} else if (depth == 0 || scan_scalar(s) < 0) {
			return -1;
		}
		/* A value ended: close containers, or go on to the next value. */
		for (;;) {
			if (depth == 0)
				return 0;
			if (depth == 1 && s->pending) {
				s->pending->value_len =
				    (size_t)((const char *)s->p - s->pending->value);
				s->pending = NULL;
			}
			skip_ws(s);
			if (s->p == s->end)
				return -1;
			if (*s->p == ',') {
				s->p++;
				if (stack[depth - 1] == '{' && scan_key(s, depth) < 0)
					return -1;
				break;
			}
			if (*s->p != (stack[depth - 1] == '{' ? '}' : ']'))
				return -1;
			s->p++;
			depth--;
		}
	}
}

int util_json_check(util_json_scan *out, const char *text, size_t len)
{
	struct scan s;

	memset(out, 0, sizeof *out);
	s.p = (const unsigned char *)text;
	s.end = s.p + len;
	s.out = out;
	s.pending = NULL;
	s.spaced = 0;
	skip_ws(&s);
	if (s.p == s.end || (*s.p != '{' && *s.p != '['))
		return -1;
	out->top = (char)*s.p;
	if (scan_walk(&s) < 0)
		goto refused;
	skip_ws(&s);
	if (s.p != s.end)
		goto refused;
	out->spaced = s.spaced;
	return 0;
refused:
	memset(out, 0, sizeof *out);
	return -1;
}

const util_json_member *util_json_member_get(const util_json_scan *sc, const char *key)
{
	size_t i, n = strlen(key);

	for (i = 0; i < sc->nmembers; i++)
		if (sc->members[i].key_len == n && memcmp(sc->members[i].key, key, n) == 0)
			return &sc->members[i];
	return NULL;
}

/* The length of the string at p (on its opening quote), quotes included; p is checked. */
static size_t string_len(const char *p)
{
	size_t i = 1;

	while (p[i] != '"')
		i += p[i] == '\\' ? 2 : 1;
	return i + 1;
}

size_t util_json_compact(char *dst, const char *src, size_t len)
{
	size_t i = 0, w = 0, n;

	while (i < len) {
		if (src[i] == '"') {
			n = string_len(src + i);
			memcpy(dst + w, src + i, n);
			w += n;
			i += n;
		} else if (is_ws((unsigned char)src[i])) {
			i++;
		} else {
			dst[w++] = src[i++];
		}
	}
	return w;
}

static void newline(util_buf *b, int depth, int indent, int margin)
{
	util_buf_putc(b, '\n');
	for (int k = 0; k < depth * indent + margin; k++)
		util_buf_putc(b, ' ');
}

/* The next byte that is not white space at or after i, or 0 at the end. */
static char next_token(const char *src, size_t len, size_t i)
{
	while (i < len && is_ws((unsigned char)src[i]))
		i++;
	return i < len ? src[i] : 0;
}

void util_json_indent(util_buf *b, const char *src, size_t len, int indent, int margin)
{
	size_t i = 0, n;
	int depth = 0;

	while (i < len) {
		char c = src[i];
		if (c == '"') {
			n = string_len(src + i);
			util_buf_append(b, src + i, n);
			i += n;
			continue;
		}
		i++;
		if (c == '{' || c == '[') {
			char close = c == '{' ? '}' : ']';
			util_buf_putc(b, c);
			if (next_token(src, len, i) == close) {
				util_buf_putc(b, close);
				while (src[i] != close)
					i++;
				i++;
			} else {
				newline(b, ++depth, indent, margin);
			}
		} else if (c == '}' || c == ']') {
			newline(b, --depth, indent, margin);
			util_buf_putc(b, c);
		} else if (c == ',') {
			util_buf_putc(b, ',');
			newline(b, depth, indent, margin);
		} else if (c == ':') {
			util_buf_puts(b, ": ");
		} else if (!is_ws((unsigned char)c)) {
			util_buf_putc(b, c);
		}
	}
}
