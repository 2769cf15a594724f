/*
 * Injected failures: the rule parser and the thread-safe rule list
 * (sbx_faults.h). The server applies what sbx_faults_pick() returns.
 */
#define _GNU_SOURCE /* FNM_CASEFOLD */
#include "sbx_faults.h"

#include <fnmatch.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util.h"
#include "banned.h"

struct sbx_faults {
	pthread_mutex_t mu;
	sbx_fault rules[SBX_FAULTS_MAX];
	size_t n;
	unsigned long long rng; /* xorshift64* state, never 0 */
};

static int bad(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}

/* Copy [s, s+n) into out (size outsz) if it fits. */
static int copy_part(char *out, size_t outsz, const char *s, size_t n)
{
	if (n >= outsz)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static int set_kind(sbx_fault *r, const char *key, const char *val, char *err, size_t errsz)
{
	long long n;

	if (strcmp(key, "status") == 0) {
		if (!val || util_parse_ll(val, 100, 599, &n) < 0)
			return bad(err, errsz,
			           "invalid fault status '%s': expected an HTTP status 100-599",
			           val ? val : "");
		r->kind = SBX_FAULT_STATUS;
		r->status = (int)n;
	} else if (strcmp(key, "latency") == 0) {
		if (!val || util_parse_ll(val, 0, 600000, &n) < 0)
			return bad(err, errsz,
			           "invalid fault latency '%s': expected milliseconds 0-600000",
			           val ? val : "");
		r->kind = SBX_FAULT_LATENCY;
		r->latency_ms = (long)n;
	} else if (strcmp(key, "drop") == 0) {
		if (val && strcmp(val, "before") == 0)
			r->kind = SBX_FAULT_DROP_BEFORE;
		else if (val && strcmp(val, "after") == 0)
			r->kind = SBX_FAULT_DROP_AFTER;
		else
			return bad(err, errsz, "invalid fault drop '%s': expected before or after",
			           val ? val : "");
	} else if (strcmp(key, "truncate") == 0 && !val) {
		r->kind = SBX_FAULT_TRUNCATE;
	} else if (strcmp(key, "malformed") == 0 && !val) {
		r->kind = SBX_FAULT_MALFORMED;
	} else {
		return bad(
		    err, errsz,
		    "invalid fault '%s': expected status=CODE, latency=MS, drop=before|after, "
		    "truncate or malformed first",
		    key);
	}
	return 0;
}

static int set_option(sbx_fault *r, const char *key, const char *val, char *err, size_t errsz)
{
	long long n;
	char *end;

	if (!val || !*val)
		return bad(err, errsz, "fault option '%s' needs a value (%s=...)", key, key);
	if (strcmp(key, "path") == 0) {
		if (copy_part(r->path, sizeof r->path, val, strlen(val)) < 0)
			return bad(err, errsz, "fault path '%.40s...' is too long", val);
	} else if (strcmp(key, "method") == 0) {
		size_t i;
		if (copy_part(r->method, sizeof r->method, val, strlen(val)) < 0)
			return bad(err, errsz, "invalid fault method '%.20s'", val);
		for (i = 0; r->method[i]; i++)
			if (r->method[i] < 'A' || r->method[i] > 'z')
				return bad(err, errsz,
				           "invalid fault method '%.20s': expected GET, POST, ...",
				           val);
	} else if (strcmp(key, "count") == 0) {
		if (util_parse_ll(val, 1, 1000000000LL, &n) < 0)
			return bad(err, errsz,
			           "invalid fault count '%s': expected a whole number >= 1", val);
		r->count = n;
	} else if (strcmp(key, "p") == 0) {
		double p = strtod(val, &end);
		if (end == val || *end || !(p > 0.0 && p <= 1.0))
			return bad(err, errsz,
			           "invalid fault probability '%s': expected 0 < p <= 1", val);
		r->p = p;
	} else {
		return bad(err, errsz,
		           "unknown fault option '%s': expected path, method, count or p", key);
	}
	return 0;
}

int sbx_fault_parse(sbx_fault *out, const char *spec, char *err, size_t errsz)
{
	const char *s = spec;
	int first = 1;

	memset(out, 0, sizeof *out);
	out->count = -1;
	out->p = 1.0;
	if (!spec || !*spec)
		return bad(err, errsz, "empty fault: expected e.g. status=503,count=2");
	/* Messages below quote parts of the spec: keep them one printable line. */
	for (size_t i = 0; spec[i]; i++)
		if ((unsigned char)spec[i] < 0x20 || spec[i] == 0x7f)
			return bad(err, errsz, "invalid fault: control character at position %zu",
			           i + 1);
	if (copy_part(out->spec, sizeof out->spec, spec, strlen(spec)) < 0)
		return bad(err, errsz, "fault too long: at most 255 characters");
	while (*s) {
		char key[32], val[160];
		const char *comma = strchr(s, ','), *eq;
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		int has_val;

		eq = memchr(s, '=', len);
		has_val = eq != NULL;
		if (copy_part(key, sizeof key, s, has_val ? (size_t)(eq - s) : len) < 0 ||
		    (has_val && copy_part(val, sizeof val, eq + 1, len - (size_t)(eq - s) - 1) < 0))
			return bad(err, errsz, "fault part '%.40s' is too long", s);
		if (!*key)
			return bad(err, errsz, "invalid fault '%s': empty part", spec);
		if (first ? set_kind(out, key, has_val ? val : NULL, err, errsz)
		          : set_option(out, key, has_val ? val : NULL, err, errsz))
			return -1;
		first = 0;
		s += len;
		if (*s == ',') {
			s++;
			if (!*s)
				return bad(err, errsz, "invalid fault '%s': ends with ','", spec);
		}
	}
	return 0;
}

sbx_faults *sbx_faults_new(unsigned long long seed)
{
	sbx_faults *f = calloc(1, sizeof *f);

	if (!f)
		return NULL;
	if (pthread_mutex_init(&f->mu, NULL) != 0) {
		free(f);
		return NULL;
	}
	f->rng = seed ? seed : (unsigned long long)time(NULL) * 2654435761ULL;
	if (!f->rng)
		f->rng = 88172645463325252ULL;
	return f;
}

void sbx_faults_free(sbx_faults *f)
{
	if (!f)
		return;
	pthread_mutex_destroy(&f->mu);
	free(f);
}

int sbx_faults_add(sbx_faults *f, const sbx_fault *rule)
{
	int rc = -1;

	pthread_mutex_lock(&f->mu);
	if (f->n < SBX_FAULTS_MAX) {
		f->rules[f->n] = *rule;
		f->rules[f->n].hits = 0;
		f->n++;
		rc = 0;
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

void sbx_faults_clear(sbx_faults *f)
{
	pthread_mutex_lock(&f->mu);
	f->n = 0;
	pthread_mutex_unlock(&f->mu);
}

/* A uniform draw in [0, 1). */
static double draw(sbx_faults *f)
{
	unsigned long long x = f->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	f->rng = x;
	return (double)((x * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static int matches(const sbx_fault *r, const char *method, const char *path)
{
	if (r->method[0] && strcasecmp(r->method, method) != 0)
		return 0;
	return !r->path[0] || fnmatch(r->path, path, FNM_CASEFOLD) == 0;
}

void sbx_faults_pick(sbx_faults *f, const char *method, const char *path, sbx_fault *out)
{
	size_t i;

	memset(out, 0, sizeof *out);
	if (!f)
		return;
	pthread_mutex_lock(&f->mu);
	for (i = 0; i < f->n; i++) {
		sbx_fault *r = &f->rules[i];
		if (!matches(r, method ? method : "", path ? path : ""))
			continue;
		if (r->p < 1.0 && draw(f) >= r->p)
			continue;
		r->hits++;
		*out = *r;
		if (r->count > 0 && --r->count == 0) {
			memmove(r, r + 1, (f->n - i - 1) * sizeof *r);
			f->n--;
		}
		break;
	}
	pthread_mutex_unlock(&f->mu);
}

static const char *kind_name(sbx_fault_kind k)
{
	static const char *const names[] = {"none",       "status",   "latency",  "drop_before",
	                                    "drop_after", "truncate", "malformed"};
	return (size_t)k < sizeof names / sizeof *names ? names[k] : "?";
}

json_t *sbx_faults_json(sbx_faults *f)
{
	json_t *a = json_array();
	size_t i;

	if (!a)
		return NULL;
	pthread_mutex_lock(&f->mu);
	for (i = 0; i < f->n; i++) {
		const sbx_fault *r = &f->rules[i];
		json_array_append_new(
		    a, json_pack("{s:s, s:s, s:s, s:s, s:I, s:f, s:I}", "spec", r->spec, "kind",
		                 kind_name(r->kind), "path", r->path[0] ? r->path : "*", "method",
		                 r->method[0] ? r->method : "*", "count", (json_int_t)r->count, "p",
		                 r->p, "hits", (json_int_t)r->hits));
	}
	pthread_mutex_unlock(&f->mu);
	return a;
}
