/*
 * Internal declarations shared across libontraport's files. Names used
 * across files but not public carry a double underscore (ontra_x__y).
 */
#ifndef ONTRA_INTERNAL_H
#define ONTRA_INTERNAL_H

#include <curl/curl.h>
#include <pthread.h>

#include "ontraport.h"

/* --- errors (error.c) --- */

/*
 * Set the thread's last error and return `code`, so callers can write
 * `return ontra__error(ONTRA_EINVALID, "...")`. The message is one
 * lowercase line; it is formatted, and truncated if long.
 */
int ontra__error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Attach HTTP status, curl code and server body to the last error. */
void ontra__error_detail(int http_status, int curl_code, const char *body, size_t body_len);
/* Out of memory: a fixed message, no allocation. */
int ontra__error_oom(void);

/* --- events (event.c) --- */

/* Wrap a normalized event (rcv_body_parse's shape; stolen, even on failure). */
int ontra__event_new(ontra_event **out, json_t *doc);
/* Set the last error for a receiver code (RCV_E*) and its line; returns the ONTRA_E* code. */
int ontra__event_error(int rcv_code, const char *line);

/* --- pacing (pacer.c) --- */

typedef struct ontra_pacer ontra_pacer;
ontra_pacer *ontra__pacer_new(void);
void ontra__pacer_free(ontra_pacer *p);
/* Reserve the next send slot; returns the seconds to wait before sending. */
double ontra__pacer_reserve(ontra_pacer *p);
/* Learn from a response: its rate-limit headers, a 429, its round trip in seconds. */
void ontra__pacer_update(ontra_pacer *p, const ontra_rate_limit *rl, int status, double rtt);
unsigned long ontra__pacer_waits(ontra_pacer *p);
/*
 * Like ontra__pacer_reserve, but when the wait would be longer than max
 * seconds (max < 0: no bound) takes no slot and returns -1. *wait is the
 * wait either way; why (may be NULL) says what holds the request, if anything.
 */
int ontra__pacer_reserve_within(ontra_pacer *p, double max, double *wait, char *why, size_t whysz);
/* X-Rate-Limit-Reset as seconds to wait: at most the API's 60 s window + 10%; 1 if absent. */
double ontra__reset_seconds(long reset);
double ontra__now(void);
void ontra__sleep(double seconds);

struct ontra_share {
	CURLSH *curl;
	ontra_pacer *pacer;
	pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
};

/* --- client (client.c) --- */

struct ontra_client {
	char *base_url;   /* without trailing slash */
	char *base_shown; /* base_url with its userinfo masked, for logs and errors */
	char *app_id;
	char *api_key;
	char *user_agent;
	char *ca_file;
	long connect_timeout_ms;
	long timeout_ms;
	size_t max_response_size;
	ontra_log_fn log;
	void *log_userdata;
	int log_level;

	CURL *curl;          /* one easy handle: keeps its connection alive across requests */
	ontra_share *share;  /* borrowed, or NULL */
	ontra_pacer *pacer;  /* the share's, or the client's own (owned when no share) */
	ontra_budget budget; /* version 6: asked before the pacer when reserve is set */
	int max_retries;
	long retry_max_ms;
	double max_wait; /* seconds; < 0 = no bound of the caller's own */
	ontra_wait_fn on_wait;
	void *on_wait_userdata;
	unsigned int seed;    /* jitter */
	json_t *meta;         /* GET /objects/meta?format=byId, fetched on first use */
	json_t *meta_retired; /* metadata dropped by ontra_meta_invalidate: still borrowed
	                       * by callers, so kept (an array) until the client is freed */
	char *cache_dir;      /* the metadata's folder on disk (version 5), or NULL */
	long cache_ttl_s;     /* 0 = the default */
	int cache_skip;       /* the next fetch does not read the disk copy (--refresh, a miss) */
	int meta_from_disk;   /* meta was read from cache_dir, not fetched by this client */
	int meta_stale;       /* the fields changed since meta was read: retire it at next use */
	ontra_rate_limit last_rate;
	ontra_client_stats stats;
	struct curl_slist *base_hdrs; /* the headers of a plain request, built on first use */
};

/* Free a header list, its text (the key) overwritten first. NULL is accepted. */
void ontra__headers_wipe(struct curl_slist *list);

/* Log a line through the client's callback when its level is enabled. */
void ontra__log(const ontra_client *c, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* --- metadata (meta.c) --- */

/* The cached metadata (borrowed), fetching it on first use. */
int ontra__meta(const json_t **out, ontra_client *c);
/*
 * After a lookup in the metadata missed: when the metadata came from the disk
 * cache, fetch it afresh (a type or field may have been added since) and
 * return 1, so the caller looks again; 0 when it was fetched by this client
 * already; < 0 when the fetch failed.
 */
int ontra__meta_recheck(ontra_client *c);

/* --- metadata on disk (meta_cache.c) --- */

/* The cached copy for this connection when usable: 1 and *out new; else 0 and *out NULL. */
int ontra__meta_cache_load(json_t **out, ontra_client *c);
/* Write meta (borrowed) as this connection's copy; failures are logged, not returned. */
void ontra__meta_cache_store(ontra_client *c, json_t *meta);
/* Remove this connection's copy, if any. */
void ontra__meta_cache_drop(ontra_client *c);
/*
 * The account's fields changed (a write to the field editor): remove the disk
 * copy now, and have the next ontra__meta fetch afresh (as ontra_meta_invalidate,
 * without a call up into meta.c).
 */
void ontra__meta_stale(ontra_client *c);
/* The time to live in seconds. */
long ontra__meta_cache_ttl(const ontra_client *c);

/* --- selections (selection.c) --- */

/* Whether a condition selects every object: none, empty, or always true. */
int ontra__condition_selects_all(const json_t *cond);

/* --- params (params.c) --- */

/* URL-encode the list as k=v&k=v (form body or query string), appended to buf. */
struct util_buf;
int ontra__params_encode(const ontra_params *p, struct util_buf *buf);

/* --- responses (http.c) --- */

/* Whether the request may be repeated after it may have reached the server. */
int ontra__retry_safe(const ontra_request *req);
/* Seconds to wait before retry n (0-based): exponential, capped, jittered. */
double ontra__backoff(ontra_client *c, int n);

struct ontra_response {
	int status;
	char *body;
	size_t body_len;
	ontra_params *headers;
	ontra_rate_limit rate;
	double seconds;
	const char *text; /* ontra_call_text: the data's text, in body or in text_owned */
	size_t text_len;
	char *text_owned; /* compacted or laid out again; freed with the response */
};

/* --- helpers for module calls (call.c, objects.c) --- */

/* ONTRA_EINVALID "invalid <what> id N: expected a positive whole number" unless id > 0. */
int ontra__check_id(long long id, const char *what);

/*
 * GET /<endpoint>?id=<id>: one record, *out new. `what` names it in errors
 * ("rule"). Errors: ONTRA_EINVALID (id not positive), ONTRA_EBADRESPONSE (the
 * data is not an object), and those of ontra_call.
 */
int ontra__get_by_id(json_t **out, ontra_client *c, const char *endpoint, const char *what,
                     long long id);

/* Append "1,2,3" for a list of ids to buf; ONTRA_EINVALID if one is not positive. */
/* ONTRA_EINVALID for a negative object type (objects.c). */
int ontra__check_type(int type);
int ontra__ids_csv(struct util_buf *buf, const long long *ids, size_t n, const char *what);

/*
 * A subscription field's value (subfield.c) in the form the API stores,
 * each id between star-slash-star marks (ids 1 and 2: "*", "/", "*1*",
 * "/", "*2*", "/", "*" joined), into values[field]. v is ids: a number, a
 * list, "1,2", or that form already; empty clears it. Sends nothing.
 */
int ontra__subscription_value(json_t *values, const char *field, json_t *v);

#endif
