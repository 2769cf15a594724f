/* An ordered list of key/value strings: query strings, form bodies, headers. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "internal.h"
#include "banned.h"

/* A hard cap on entries, so a runaway caller cannot grow a list forever. */
#define PARAMS_MAX 100000

struct ontra_params {
	char **keys;
	char **values;
	size_t count;
	size_t alloc;
};

int ontra_params_new(ontra_params **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : ontra__error_oom();
}

void ontra_params_free(ontra_params *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->count; i++) {
		free(p->keys[i]);
		free(p->values[i]);
	}
	free(p->keys);
	free(p->values);
	free(p);
}

static int add_n(ontra_params *p, const char *key, size_t klen, const char *value, size_t vlen)
{
	char *k, *v;

	if (p->count >= PARAMS_MAX)
		return ontra__error(ONTRA_EINVALID, "too many parameters (at most %d)", PARAMS_MAX);
	if (p->count == p->alloc) {
		size_t n = p->alloc ? p->alloc * 2 : 8;
		char **nk = realloc(p->keys, n * sizeof *nk);
		if (!nk)
			return ontra__error_oom();
		p->keys = nk;
		char **nv = realloc(p->values, n * sizeof *nv);
		if (!nv)
			return ontra__error_oom();
		p->values = nv;
		p->alloc = n;
	}
	k = util_strndup(key, klen);
	v = util_strndup(value, vlen);
	if (!k || !v) {
		free(k);
		free(v);
		return ontra__error_oom();
	}
	p->keys[p->count] = k;
	p->values[p->count] = v;
	p->count++;
	return 0;
}

int ontra_params_add(ontra_params *p, const char *key, const char *value)
{
	if (!p || !key || !value)
		return ontra__error(ONTRA_EINVALID, "parameter key and value must not be NULL");
	return add_n(p, key, strlen(key), value, strlen(value));
}

int ontra_params_add_int(ontra_params *p, const char *key, long long value)
{
	char num[32];

	snprintf(num, sizeof num, "%lld", value);
	return ontra_params_add(p, key, num);
}

int ontra_params_set(ontra_params *p, const char *key, const char *value)
{
	size_t i, w = 0;

	if (!p || !key || !value)
		return ontra__error(ONTRA_EINVALID, "parameter key and value must not be NULL");
	for (i = 0; i < p->count; i++) {
		if (strcmp(p->keys[i], key) == 0) {
			free(p->keys[i]);
			free(p->values[i]);
			continue;
		}
		p->keys[w] = p->keys[i];
		p->values[w] = p->values[i];
		w++;
	}
	p->count = w;
	return ontra_params_add(p, key, value);
}

size_t ontra_params_count(const ontra_params *p)
{
	return p ? p->count : 0;
}

const char *ontra_params_key(const ontra_params *p, size_t i)
{
	return p && i < p->count ? p->keys[i] : NULL;
}

const char *ontra_params_value(const ontra_params *p, size_t i)
{
	return p && i < p->count ? p->values[i] : NULL;
}

const char *ontra_params_get(const ontra_params *p, const char *key)
{
	size_t i;

	for (i = 0; p && i < p->count; i++)
		if (strcmp(p->keys[i], key) == 0)
			return p->values[i];
	return NULL;
}

int ontra_params_add_pair(ontra_params *p, const char *pair)
{
	const char *eq = pair ? strchr(pair, '=') : NULL;

	if (!eq)
		return ontra__error(ONTRA_EINVALID, "malformed parameter '%s': expected key=value",
		                    pair ? pair : "");
	if (eq == pair)
		return ontra__error(ONTRA_EINVALID, "malformed parameter '%s': the key is empty",
		                    pair);
	return add_n(p, pair, (size_t)(eq - pair), eq + 1, strlen(eq + 1));
}

/* RFC 9110 token characters. */
static int is_tchar(int c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

int ontra_params_add_header(ontra_params *p, const char *line)
{
	const char *colon = line ? strchr(line, ':') : NULL, *v, *end;
	const char *s;

	if (!colon)
		return ontra__error(ONTRA_EINVALID, "malformed header '%s': expected 'Name: value'",
		                    line ? line : "");
	if (colon == line)
		return ontra__error(ONTRA_EINVALID, "malformed header '%s': the name is empty",
		                    line);
	for (s = line; s < colon; s++)
		if (!is_tchar((unsigned char)*s))
			return ontra__error(ONTRA_EINVALID,
			                    "malformed header '%s': the name holds '%c', expected "
			                    "letters, digits or -",
			                    line, isprint((unsigned char)*s) ? *s : '?');
	if (strpbrk(line, "\r\n"))
		return ontra__error(ONTRA_EINVALID, "malformed header: it holds a line break");
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	end = v + strlen(v);
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return add_n(p, line, (size_t)(colon - line), v, (size_t)(end - v));
}

int ontra__params_encode(const ontra_params *p, util_buf *buf)
{
	size_t i;

	for (i = 0; p && i < p->count; i++) {
		char *k = curl_easy_escape(NULL, p->keys[i], (int)strlen(p->keys[i]));
		char *v = curl_easy_escape(NULL, p->values[i], (int)strlen(p->values[i]));
		int rc = 0;
		if (!k || !v)
			rc = -1;
		else if ((i && util_buf_putc(buf, '&') < 0) || util_buf_puts(buf, k) < 0 ||
		         util_buf_putc(buf, '=') < 0 || util_buf_puts(buf, v) < 0)
			rc = -1;
		curl_free(k);
		curl_free(v);
		if (rc < 0)
			return ontra__error_oom();
	}
	return 0;
}
