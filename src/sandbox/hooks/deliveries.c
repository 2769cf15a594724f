/*
 * events: webhook deliveries (REFERENCE.md §8.3).
 *
 * A report (sbx_report_*) runs in a handler with the store locked: it finds
 * the subscriptions whose event string matches ("sub_tag(3)"), reads the
 * record once, builds each payload in the subscription's data format and
 * queues it. One thread POSTs the queue in order with one kept-alive libcurl
 * handle, then takes the store lock to record last_hook, last_code and
 * last_payload on the subscription, and appends the outcome to a log the
 * control API lists. Lock order: store, then the engine's mutex; the thread
 * never holds the engine's mutex while it waits for the store.
 *
 * What a webhook receives is built by payload.c (pure, fuzzed); this file is
 * the matching, the queue and the delivery thread.
 *
 * Deliveries are made at most once (Ontraport documents no retries; §8.3);
 * a reset bumps a generation number so that a delivery in flight across a
 * reset records nothing on the new subscriptions that reuse its id.
 */
#include "sbx_deliveries.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sbx_ctx.h"
#include "sbx_payload.h"
#include "sbx_store.h"
#include "util.h"
#include "banned.h"

#define WEBHOOK_TYPE 145
#define TIMEOUT_DEFAULT 10000
#define QUEUE_DEFAULT 100000
#define LOG_DEFAULT 1000
#define LOG_BODY_MAX (16 * 1024) /* bytes of each body kept in the log */
#define MAX_SUBS 1000            /* subscriptions matched per report */

/* ---- the engine ---- */

typedef struct delivery {
	struct delivery *next;
	unsigned long generation;
	long long webhook_id, object_type, object_id;
	char *event; /* "sub_tag(3)" */
	char *url;
	char *body;
	size_t body_len;
	const char *content_type;
	long long queued_ms;
} delivery;

typedef struct log_entry {
	unsigned long long seq;
	long long webhook_id, object_type, object_id;
	char *event, *url, *body, *error;
	size_t body_bytes;
	const char *content_type;
	const char *status; /* "delivered", "failed", "dropped" */
	long code;
	long long queued_ms, sent_ms, us;
} log_entry;

struct sbx_deliveries {
	sbx_store *st;
	int json;
	long timeout_ms;
	size_t queue_max, log_max;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	delivery *head, *tail;
	size_t queued;
	int busy; /* a delivery is in flight */
	int stop;
	unsigned long generation;
	log_entry *log; /* ring of log_max */
	size_t log_n, log_next;
	unsigned long long seq;

	pthread_t thread;
	int started;
	CURL *h;
	struct curl_slist *hdr_form, *hdr_json;
	char curl_err[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_rc = CURLE_OK;

static void curl_init_once(void)
{
	curl_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static long long mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void delivery_free(delivery *d)
{
	if (!d)
		return;
	free(d->event);
	free(d->url);
	free(d->body);
	free(d);
}

static void log_entry_release(log_entry *l)
{
	free(l->event);
	free(l->url);
	free(l->body);
	free(l->error);
	memset(l, 0, sizeof *l);
}

/* Append an outcome to the ring (engine mutex held). Takes nothing from d. */
static void log_add(sbx_deliveries *ev, const delivery *d, const char *status, long code,
                    const char *error, long long sent_ms, long long us)
{
	log_entry *l = &ev->log[ev->log_next];
	size_t keep = d->body_len < LOG_BODY_MAX ? d->body_len : LOG_BODY_MAX;

	log_entry_release(l);
	l->seq = ++ev->seq;
	l->webhook_id = d->webhook_id;
	l->object_type = d->object_type;
	l->object_id = d->object_id;
	l->event = util_strdup(d->event);
	l->url = util_strdup(d->url);
	l->body = util_strndup(d->body ? d->body : "", d->body ? keep : 0);
	l->error = error ? util_strdup(error) : NULL;
	l->body_bytes = d->body_len;
	l->content_type = d->content_type;
	l->status = status;
	l->code = code;
	l->queued_ms = d->queued_ms;
	l->sent_ms = sent_ms;
	l->us = us;
	ev->log_next = (ev->log_next + 1) % ev->log_max;
	if (ev->log_n < ev->log_max)
		ev->log_n++;
}

/* Queue a delivery (store locked; takes d). */
static void enqueue(sbx_deliveries *ev, delivery *d)
{
	pthread_mutex_lock(&ev->mu);
	d->generation = ev->generation;
	if (ev->stop || ev->queued >= ev->queue_max) {
		log_add(ev, d, "dropped", 0,
		        ev->stop ? "the sandbox is stopping" : "too many deliveries waiting", 0, 0);
		pthread_mutex_unlock(&ev->mu);
		delivery_free(d);
		return;
	}
	if (ev->tail)
		ev->tail->next = d;
	else
		ev->head = d;
	ev->tail = d;
	ev->queued++;
	pthread_cond_signal(&ev->cv);
	pthread_mutex_unlock(&ev->mu);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/* libcurl's progress callback: a non-zero return aborts the transfer (on stop). */
static int abort_on_stop(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	sbx_deliveries *ev = ud;
	int stop;

	(void)a;
	(void)b;
	(void)c;
	(void)d;
	pthread_mutex_lock(&ev->mu);
	stop = ev->stop;
	pthread_mutex_unlock(&ev->mu);
	return stop;
}

/* POST one delivery; returns the HTTP status, or 0 with error set when none came back. */
static long post(sbx_deliveries *ev, const delivery *d, char *error, size_t errsz)
{
	CURLcode rc;
	long code = 0;

	if (!util_strnieq(d->url, "http://", 7) && !util_strnieq(d->url, "https://", 8)) {
		snprintf(error, errsz, "not sent: the url is not http:// or https://");
		return 0;
	}
	ev->curl_err[0] = '\0';
	curl_easy_setopt(ev->h, CURLOPT_URL, d->url);
	curl_easy_setopt(ev->h, CURLOPT_POSTFIELDS, d->body);
	curl_easy_setopt(ev->h, CURLOPT_POSTFIELDSIZE, (long)d->body_len);
	curl_easy_setopt(ev->h, CURLOPT_HTTPHEADER, ev->json ? ev->hdr_json : ev->hdr_form);
	rc = curl_easy_perform(ev->h);
	if (rc != CURLE_OK) {
		snprintf(error, errsz, "%s",
		         ev->curl_err[0] ? ev->curl_err : curl_easy_strerror(rc));
		return 0;
	}
	curl_easy_getinfo(ev->h, CURLINFO_RESPONSE_CODE, &code);
	if (code < 200 || code > 299)
		snprintf(error, errsz, "the receiver answered %ld", code);
	return code;
}

/* Record the outcome on the subscription (store locked). */
static void record_outcome(sbx_deliveries *ev, const delivery *d, long code, long long sent_s)
{
	const sbx_otype *t = sbx_store_type(ev->st, WEBHOOK_TYPE);
	sqlite3_stmt *s;
	char sql[160];
	sbx_err e = SBX_ERR_INIT;

	if (!t)
		return;
	snprintf(sql, sizeof sql,
	         "UPDATE \"%s\" SET \"last_hook\"=?, \"last_code\"=?, \"last_payload\"=? "
	         "WHERE \"id\"=?",
	         t->table);
	s = sbx_store_prepare(ev->st, sql, &e);
	if (!s)
		return;
	sqlite3_bind_int64(s, 1, sent_s);
	sqlite3_bind_int64(s, 2, code);
	sqlite3_bind_text(s, 3, d->body, (int)d->body_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, d->webhook_id);
	sqlite3_step(s);
	sbx_store_done(ev->st, s);
}

static void *run(void *arg)
{
	sbx_deliveries *ev = arg;

	for (;;) {
		delivery *d;
		char error[CURL_ERROR_SIZE + 64] = "";
		long long t0, us;
		long code;
		int same;

		pthread_mutex_lock(&ev->mu);
		while (!ev->head && !ev->stop)
			pthread_cond_wait(&ev->cv, &ev->mu);
		if (ev->stop) {
			pthread_mutex_unlock(&ev->mu);
			break;
		}
		d = ev->head;
		ev->head = d->next;
		if (!ev->head)
			ev->tail = NULL;
		ev->queued--;
		ev->busy = 1;
		pthread_mutex_unlock(&ev->mu);

		t0 = util_now_ms();
		us = mono_us();
		code = post(ev, d, error, sizeof error);
		us = mono_us() - us;

		sbx_store_lock(ev->st);
		pthread_mutex_lock(&ev->mu);
		same = d->generation == ev->generation;
		pthread_mutex_unlock(&ev->mu);
		if (same)
			record_outcome(ev, d, code, t0 / 1000);
		sbx_store_unlock(ev->st);

		pthread_mutex_lock(&ev->mu);
		if (same)
			log_add(ev, d, code >= 200 && code <= 299 ? "delivered" : "failed", code,
			        error[0] ? error : NULL, t0, us);
		ev->busy = 0;
		pthread_mutex_unlock(&ev->mu);
		delivery_free(d);
	}
	return NULL;
}

int sbx_deliveries_new(sbx_deliveries **out, sbx_store *st, const sbx_deliveries_config *cfg)
{
	sbx_deliveries_config dflt = SBX_DELIVERIES_CONFIG_INIT;
	sbx_deliveries *ev;

	*out = NULL;
	if (!cfg)
		cfg = &dflt;
	pthread_once(&curl_once, curl_init_once);
	if (curl_rc != CURLE_OK)
		return -1;
	ev = calloc(1, sizeof *ev);
	if (!ev)
		return -1;
	ev->st = st;
	ev->json = cfg->json;
	ev->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : TIMEOUT_DEFAULT;
	ev->queue_max = cfg->queue_max ? cfg->queue_max : QUEUE_DEFAULT;
	ev->log_max = cfg->log_max ? cfg->log_max : LOG_DEFAULT;
	pthread_mutex_init(&ev->mu, NULL);
	pthread_cond_init(&ev->cv, NULL);
	ev->log = calloc(ev->log_max, sizeof *ev->log);
	ev->h = curl_easy_init();
	ev->hdr_form = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
	ev->hdr_json = curl_slist_append(NULL, "Content-Type: application/json");
	if (ev->hdr_form)
		ev->hdr_form = curl_slist_append(ev->hdr_form, "Expect:");
	if (ev->hdr_json)
		ev->hdr_json = curl_slist_append(ev->hdr_json, "Expect:");
	if (!ev->log || !ev->h || !ev->hdr_form || !ev->hdr_json)
		goto fail;
	curl_easy_setopt(ev->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ev->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(ev->h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(ev->h, CURLOPT_TIMEOUT_MS, ev->timeout_ms);
	curl_easy_setopt(ev->h, CURLOPT_CONNECTTIMEOUT_MS, ev->timeout_ms);
	curl_easy_setopt(ev->h, CURLOPT_USERAGENT, "Ontraport-Sandbox-Webhooks/1");
	curl_easy_setopt(ev->h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(ev->h, CURLOPT_ERRORBUFFER, ev->curl_err);
	curl_easy_setopt(ev->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(ev->h, CURLOPT_XFERINFOFUNCTION, abort_on_stop);
	curl_easy_setopt(ev->h, CURLOPT_XFERINFODATA, ev);
	if (pthread_create(&ev->thread, NULL, run, ev) != 0)
		goto fail;
	ev->started = 1;
	*out = ev;
	return 0;
fail:
	sbx_deliveries_free(ev);
	return -1;
}

static void drop_queue(sbx_deliveries *ev)
{
	while (ev->head) {
		delivery *d = ev->head;
		ev->head = d->next;
		delivery_free(d);
	}
	ev->tail = NULL;
	ev->queued = 0;
}

void sbx_deliveries_free(sbx_deliveries *ev)
{
	size_t i;

	if (!ev)
		return;
	if (ev->started) {
		pthread_mutex_lock(&ev->mu);
		ev->stop = 1;
		pthread_cond_broadcast(&ev->cv);
		pthread_mutex_unlock(&ev->mu);
		pthread_join(ev->thread, NULL);
	}
	drop_queue(ev);
	for (i = 0; ev->log && i < ev->log_max; i++)
		log_entry_release(&ev->log[i]);
	free(ev->log);
	if (ev->h)
		curl_easy_cleanup(ev->h);
	curl_slist_free_all(ev->hdr_form);
	curl_slist_free_all(ev->hdr_json);
	pthread_cond_destroy(&ev->cv);
	pthread_mutex_destroy(&ev->mu);
	free(ev);
}

void sbx_deliveries_reset(sbx_deliveries *ev)
{
	size_t i;

	if (!ev)
		return;
	pthread_mutex_lock(&ev->mu);
	ev->generation++;
	drop_queue(ev);
	for (i = 0; i < ev->log_max; i++)
		log_entry_release(&ev->log[i]);
	ev->log_n = ev->log_next = 0;
	pthread_mutex_unlock(&ev->mu);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *sbx_deliveries_log_json(sbx_deliveries *ev, size_t limit, long long webhook_id,
                                size_t *pending)
{
	json_t *arr = json_array();
	size_t i, skip, first, taken = 0, matching = 0;

	if (!arr || !ev)
		return arr;
	pthread_mutex_lock(&ev->mu);
	if (pending)
		*pending = ev->queued + (size_t)ev->busy;
	first = (ev->log_next + ev->log_max - ev->log_n) % ev->log_max;
	for (i = 0; i < ev->log_n; i++) {
		const log_entry *l = &ev->log[(first + i) % ev->log_max];
		if (webhook_id <= 0 || l->webhook_id == webhook_id)
			matching++;
	}
	skip = matching > limit ? matching - limit : 0;
	for (i = 0; i < ev->log_n && taken < limit; i++) {
		const log_entry *l = &ev->log[(first + i) % ev->log_max];
		json_t *o;
		if (webhook_id > 0 && l->webhook_id != webhook_id)
			continue;
		if (skip) {
			skip--;
			continue;
		}
		o = json_pack(
		    "{s:I, s:I, s:o, s:I, s:I, s:o, s:o, s:o, s:I, s:s, s:I, s:o, s:I, s:I, "
		    "s:I}",
		    "seq", (json_int_t)l->seq, "webhook_id", (json_int_t)l->webhook_id, "event",
		    str_or_null(l->event), "object_type_id", (json_int_t)l->object_type,
		    "object_id", (json_int_t)l->object_id, "url", str_or_null(l->url),
		    "content_type", str_or_null(l->content_type), "body",
		    json_string(l->body ? l->body : ""), "body_bytes", (json_int_t)l->body_bytes,
		    "status", l->status, "code", (json_int_t)l->code, "error",
		    str_or_null(l->error), "queued_ms", (json_int_t)l->queued_ms, "sent_ms",
		    (json_int_t)l->sent_ms, "us", (json_int_t)l->us);
		if (o)
			json_array_append_new(arr, o);
		taken++;
	}
	pthread_mutex_unlock(&ev->mu);
	return arr;
}

/* ---- reports ---- */

typedef struct sub {
	long long id;
	int format;
	char *url;
} sub;

/* The subscriptions to `event`, in id order (store locked). Returns the count; *out new. */
static size_t find_subs(sbx_store *st, const char *event, sub **out)
{
	const sbx_otype *ht = sbx_store_type(st, WEBHOOK_TYPE);
	sqlite3_stmt *s;
	char sql[160];
	sbx_err e = SBX_ERR_INIT;
	size_t n = 0, alloc = 0;
	sub *v = NULL;

	*out = NULL;
	if (!ht)
		return 0;
	snprintf(sql, sizeof sql,
	         "SELECT \"id\", \"data\", \"url\" FROM \"%s\" WHERE \"event\"=? ORDER BY \"id\"",
	         ht->table);
	s = sbx_store_prepare(st, sql, &e);
	if (!s)
		return 0;
	sqlite3_bind_text(s, 1, event, -1, SQLITE_STATIC);
	while (n < MAX_SUBS && sqlite3_step(s) == SQLITE_ROW) {
		const char *data = (const char *)sqlite3_column_text(s, 1);
		const char *url = (const char *)sqlite3_column_text(s, 2);
		int fmt = sbx_hook_format_parse(data, NULL, 0);
		if (n == alloc) {
			sub *nv = realloc(v, (alloc = alloc ? alloc * 2 : 4) * sizeof *nv);
			if (!nv)
				break;
			v = nv;
		}
		v[n].id = sqlite3_column_int64(s, 0);
		v[n].format = fmt < 0 ? SBX_HOOK_FULL : fmt;
		v[n].url = util_strdup(url ? url : "");
		if (!v[n].url)
			break;
		n++;
	}
	sbx_store_done(st, s);
	*out = v;
	return n;
}

static void report(sbx_ctx *ctx, long long type, long long id, const char *name,
                   const char *target_key, long long target)
{
	sbx_deliveries *ev = ctx ? ctx->deliveries : NULL;
	const sbx_otype *t;
	json_t *rec = NULL;
	char event[96];
	sub *subs = NULL;
	size_t n, i;
	long long now;
	sbx_err e = SBX_ERR_INIT;

	if (!ev || !(t = sbx_store_type(ctx->store, type)))
		return;
	snprintf(event, sizeof event, "%s(%lld)", name, target_key ? target : type);
	n = find_subs(ctx->store, event, &subs);
	if (n && sbx_record_get(ctx->store, t, id, NULL, &rec, &e) == 0) {
		now = util_now_ms();
		for (i = 0; i < n; i++) {
			delivery *d = calloc(1, sizeof *d);
			json_t *data = sbx_hook_data(t, rec, (sbx_hook_format)subs[i].format);
			util_buf body = UTIL_BUF_INIT;
			if (d && data &&
			    sbx_hook_payload(&body, &d->content_type, ev->json, subs[i].id, type,
			                     name, target_key, target, data, now / 1000) == 0 &&
			    (d->event = util_strdup(event)) != NULL) {
				d->webhook_id = subs[i].id;
				d->object_type = type;
				d->object_id = id;
				d->url = subs[i].url;
				subs[i].url = NULL;
				d->body_len = body.len;
				d->body = util_buf_detach(&body);
				d->queued_ms = now;
				enqueue(ev, d);
				d = NULL;
			}
			delivery_free(d);
			util_buf_release(&body);
			json_decref(data);
		}
	}
	for (i = 0; i < n; i++)
		free(subs[i].url);
	free(subs);
	json_decref(rec);
}

void sbx_report_object_created(sbx_ctx *ctx, long long type, long long id)
{
	report(ctx, type, id, "object_create", NULL, 0);
}

void sbx_report_tag_added(sbx_ctx *ctx, long long type, long long id, long long tag_id)
{
	report(ctx, type, id, "sub_tag", "tag_id", tag_id);
}

void sbx_report_tag_removed(sbx_ctx *ctx, long long type, long long id, long long tag_id)
{
	report(ctx, type, id, "unsub_tag", "tag_id", tag_id);
}

void sbx_report_form_submitted(sbx_ctx *ctx, long long type, long long id, long long form_id)
{
	report(ctx, type, id, "object_submits_form", "form_id", form_id);
}

void sbx_report_purchase(sbx_ctx *ctx, long long purchase_id, long long product_id)
{
	report(ctx, 17, purchase_id, "purchase_product", "product_id", product_id);
}

void sbx_report_transaction(sbx_ctx *ctx, long long transaction_id, long long product_id)
{
	report(ctx, 46, transaction_id, "transaction_created_with_product", "product_id",
	       product_id);
}
