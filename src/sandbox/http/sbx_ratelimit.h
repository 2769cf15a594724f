/*
 * sbx_ratelimit: Ontraport's per-account rolling-window request limit (§1.5).
 *
 * Exact rolling window: a request is allowed when fewer than `limit` allowed
 * requests happened in the last `window_ms` milliseconds. Refused requests do
 * not take a slot (a client that keeps knocking still gets back in once the
 * window slides). The timestamps of the allowed requests in the window are kept
 * in a ring that grows on demand up to `limit` entries, so a huge limit (for
 * benchmarks) costs memory only for requests actually made. Thread-safe.
 */
#ifndef SBX_RATELIMIT_H
#define SBX_RATELIMIT_H

/* A monotonic clock in milliseconds; injectable for tests. */
typedef long long (*sbx_clock_fn)(void *arg);

/* CLOCK_MONOTONIC in milliseconds (arg unused). */
long long sbx_clock_monotonic_ms(void *arg);

typedef struct sbx_ratelimit sbx_ratelimit;

typedef struct sbx_rl_verdict {
	int allowed;    /* 1: go ahead; 0: answer 429 */
	long limit;     /* X-Rate-Limit-Limit */
	long remaining; /* X-Rate-Limit-Remaining: slots left after this request */
	long reset;     /* X-Rate-Limit-Reset: whole seconds (rounded up) until the oldest
	                   request in the window leaves it and a slot frees; 0 when none used */
} sbx_rl_verdict;

/* NULL on allocation failure. clock NULL = sbx_clock_monotonic_ms. */
sbx_ratelimit *sbx_ratelimit_new(long limit, long long window_ms, sbx_clock_fn clock,
                                 void *clock_arg);
void sbx_ratelimit_free(sbx_ratelimit *rl);

/* Count one request now and say whether it may proceed. */
void sbx_ratelimit_take(sbx_ratelimit *rl, sbx_rl_verdict *v);

/* Look without counting. */
void sbx_ratelimit_peek(sbx_ratelimit *rl, sbx_rl_verdict *v);

/* Forget every request (control API reset). */
void sbx_ratelimit_reset(sbx_ratelimit *rl);

#endif
