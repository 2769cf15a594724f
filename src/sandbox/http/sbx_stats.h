/*
 * sbx_stats: counters and a log of recent API requests, for the control API
 * (GET /_sandbox/stats, GET /_sandbox/requests), so tests can prove what a
 * client sent -- or did not send. Control requests are not recorded.
 * Thread-safe (one mutex; the work under it is a few copies).
 */
#ifndef SBX_STATS_H
#define SBX_STATS_H

#include <jansson.h>
#include <stddef.h>

#define SBX_LOG_DEFAULT 1000   /* requests kept by default */
#define SBX_LOG_MAX 100000     /* most requests that can be kept */
#define SBX_LOG_PATH_MAX 512   /* bytes of path kept per request */
#define SBX_LOG_QUERY_MAX 2048 /* bytes of raw query kept */
#define SBX_LOG_BODY_MAX 2048  /* bytes of body kept */

typedef struct sbx_stats sbx_stats;

/* What is recorded about one request. Strings borrowed; any may be NULL. */
typedef struct sbx_req_record {
	const char *method;
	const char *path;
	const char *query;
	const char *content_type;
	const char *body;
	size_t body_len;
	int status;
	long long time_ms; /* wall clock, Unix milliseconds, when it arrived */
	double dur_ms;     /* time to answer */
} sbx_req_record;

/* log_cap = requests kept (0 = SBX_LOG_DEFAULT, capped at SBX_LOG_MAX). NULL on OOM. */
sbx_stats *sbx_stats_new(size_t log_cap);
void sbx_stats_free(sbx_stats *s);

/* A TCP connection was accepted. */
void sbx_stats_connection(sbx_stats *s);
/* An API request was answered. */
void sbx_stats_request(sbx_stats *s, const sbx_req_record *r);
/* Zero every counter and forget the log. */
void sbx_stats_reset(sbx_stats *s);

/* {"requests":N,"by_status":{"200":n,...},"connections":N,"rate_limited":N}; new. */
json_t *sbx_stats_json(sbx_stats *s);
/* [{method, path, query, status, time_ms, us, content_type, body, body_bytes}, ...]: the
 * last `limit` requests, oldest first; new. `us` is the time to answer in microseconds. */
json_t *sbx_stats_log_json(sbx_stats *s, size_t limit);

#endif
