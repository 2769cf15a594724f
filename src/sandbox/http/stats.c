/* stats: request counters and the recent-request log (contract in sbx_stats.h). */
#include "sbx_stats.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

#define STATUS_MAX 600

typedef struct entry {
	char *blob; /* owns every string below */
	const char *method, *path, *query, *ctype, *body;
	size_t body_len; /* full length of the request body */
	int status;
	long long time_ms;
	double dur_ms;
} entry;

struct sbx_stats {
	pthread_mutex_t mu;
	unsigned long long requests, connections, rate_limited;
	unsigned long long by_status[STATUS_MAX];
	entry *log;
	size_t cap, head, count;
};

sbx_stats *sbx_stats_new(size_t log_cap)
{
	sbx_stats *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	if (!log_cap)
		log_cap = SBX_LOG_DEFAULT;
	if (log_cap > SBX_LOG_MAX)
		log_cap = SBX_LOG_MAX;
	s->log = calloc(log_cap, sizeof *s->log);
	if (!s->log || pthread_mutex_init(&s->mu, NULL) != 0) {
		free(s->log);
		free(s);
		return NULL;
	}
	s->cap = log_cap;
	return s;
}

static void clear_log(sbx_stats *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++) {
		free(s->log[i].blob);
		memset(&s->log[i], 0, sizeof s->log[i]);
	}
	s->head = s->count = 0;
}

void sbx_stats_free(sbx_stats *s)
{
	if (!s)
		return;
	clear_log(s);
	free(s->log);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

void sbx_stats_connection(sbx_stats *s)
{
	pthread_mutex_lock(&s->mu);
	s->connections++;
	pthread_mutex_unlock(&s->mu);
}

/* Length of the longest prefix of s (at most max bytes of n) that ends on a UTF-8 boundary. */
static size_t utf8_prefix(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/*
 * Copy s (cut to max bytes) into the blob at *w; returns where it starts. Text
 * that is not UTF-8 (a decoded %FF in a path) gets '?' for its high bytes, so
 * the log can always be written as JSON.
 */
static const char *put(char *blob, size_t *w, const char *s, size_t n, size_t max)
{
	char *start = blob + *w;
	size_t i;

	n = utf8_prefix(s, n, max);
	memcpy(start, s, n);
	start[n] = '\0';
	if (!util_utf8_valid(start, n) || memchr(start, '\0', n))
		for (i = 0; i < n; i++)
			if ((unsigned char)start[i] >= 0x80 || start[i] == '\0')
				start[i] = '?';
	*w += n + 1;
	return start;
}

void sbx_stats_request(sbx_stats *s, const sbx_req_record *r)
{
	const char *method = r->method ? r->method : "", *path = r->path ? r->path : "";
	const char *query = r->query ? r->query : "",
	           *ctype = r->content_type ? r->content_type : "";
	const char *body = r->body ? r->body : "";
	size_t blen = r->body ? r->body_len : 0, w = 0;
	entry e = {0}, old;

	/* Build the copy before taking the lock; the lock covers only the swap. */
	if (!util_utf8_valid(body, blen)) {
		/* Binary bodies are not shown; body_bytes still says how big they were. */
		body = "";
		blen = 0;
	}
	e.blob =
	    malloc(16 + SBX_LOG_PATH_MAX + 1 + SBX_LOG_QUERY_MAX + 1 + 128 + SBX_LOG_BODY_MAX + 1);
	if (e.blob) {
		e.method = put(e.blob, &w, method, strlen(method), 15);
		e.path = put(e.blob, &w, path, strlen(path), SBX_LOG_PATH_MAX);
		e.query = put(e.blob, &w, query, strlen(query), SBX_LOG_QUERY_MAX);
		e.ctype = put(e.blob, &w, ctype, strlen(ctype), 127);
		e.body = put(e.blob, &w, body, blen, SBX_LOG_BODY_MAX);
	}
	e.body_len = r->body_len;
	e.status = r->status;
	e.time_ms = r->time_ms;
	e.dur_ms = r->dur_ms;

	pthread_mutex_lock(&s->mu);
	s->requests++;
	if (r->status >= 0 && r->status < STATUS_MAX)
		s->by_status[r->status]++;
	if (r->status == 429)
		s->rate_limited++;
	if (e.blob) {
		size_t slot = (s->head + s->count) % s->cap;
		old = s->log[slot];
		s->log[slot] = e;
		if (s->count < s->cap)
			s->count++;
		else
			s->head = (s->head + 1) % s->cap;
	} else {
		old.blob = NULL;
	}
	pthread_mutex_unlock(&s->mu);
	free(old.blob);
}

void sbx_stats_reset(sbx_stats *s)
{
	pthread_mutex_lock(&s->mu);
	s->requests = s->connections = s->rate_limited = 0;
	memset(s->by_status, 0, sizeof s->by_status);
	clear_log(s);
	pthread_mutex_unlock(&s->mu);
}

json_t *sbx_stats_json(sbx_stats *s)
{
	json_t *o = json_object(), *by = json_object();
	char key[8];
	int i;

	if (!o || !by) {
		json_decref(o);
		json_decref(by);
		return NULL;
	}
	pthread_mutex_lock(&s->mu);
	json_object_set_new(o, "requests", json_integer((json_int_t)s->requests));
	for (i = 0; i < STATUS_MAX; i++) {
		if (!s->by_status[i])
			continue;
		snprintf(key, sizeof key, "%d", i);
		json_object_set_new(by, key, json_integer((json_int_t)s->by_status[i]));
	}
	json_object_set_new(o, "by_status", by);
	json_object_set_new(o, "connections", json_integer((json_int_t)s->connections));
	json_object_set_new(o, "rate_limited", json_integer((json_int_t)s->rate_limited));
	pthread_mutex_unlock(&s->mu);
	return o;
}

json_t *sbx_stats_log_json(sbx_stats *s, size_t limit)
{
	json_t *arr = json_array();
	size_t i, n, first;

	if (!arr)
		return NULL;
	pthread_mutex_lock(&s->mu);
	n = limit < s->count ? limit : s->count;
	first = s->count - n;
	for (i = 0; i < n; i++) {
		const entry *e = &s->log[(s->head + first + i) % s->cap];
		json_t *j =
		    json_pack("{s:s, s:s, s:s, s:i, s:I, s:I, s:s, s:s, s:I}", "method", e->method,
		              "path", e->path, "query", e->query, "status", e->status, "time_ms",
		              (json_int_t)e->time_ms, "us", (json_int_t)(e->dur_ms * 1000.0 + 0.5),
		              "content_type", e->ctype, "body", e->body, "body_bytes",
		              (json_int_t)e->body_len);
		if (j)
			json_array_append_new(arr, j);
	}
	pthread_mutex_unlock(&s->mu);
	return arr;
}
