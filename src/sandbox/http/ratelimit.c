/* ratelimit: exact rolling-window limiter (contract in sbx_ratelimit.h). */
#include "sbx_ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "banned.h"

struct sbx_ratelimit {
	pthread_mutex_t mu;
	long limit;
	long long window_ms;
	sbx_clock_fn clock;
	void *clock_arg;
	long long *ring; /* times of the allowed requests still in the window, oldest at head */
	size_t cap, head, count;
};

long long sbx_clock_monotonic_ms(void *arg)
{
	(void)arg;
	return util_mono_ms();
}

sbx_ratelimit *sbx_ratelimit_new(long limit, long long window_ms, sbx_clock_fn clock,
                                 void *clock_arg)
{
	sbx_ratelimit *rl;

	if (limit <= 0 || window_ms <= 0)
		return NULL;
	rl = calloc(1, sizeof *rl);
	if (!rl)
		return NULL;
	if (pthread_mutex_init(&rl->mu, NULL) != 0) {
		free(rl);
		return NULL;
	}
	rl->limit = limit;
	rl->window_ms = window_ms;
	rl->clock = clock ? clock : sbx_clock_monotonic_ms;
	rl->clock_arg = clock_arg;
	return rl;
}

void sbx_ratelimit_free(sbx_ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->mu);
	free(rl->ring);
	free(rl);
}

/* Drop the requests that have left the window. */
static void expire(sbx_ratelimit *rl, long long now)
{
	while (rl->count && rl->ring[rl->head] + rl->window_ms <= now) {
		rl->head = (rl->head + 1) % rl->cap;
		rl->count--;
	}
}

/* Make room for one more entry: grow the ring (unwrapped) up to `limit` entries. */
static int grow(sbx_ratelimit *rl)
{
	size_t ncap, i;
	long long *n;

	if (rl->count < rl->cap)
		return 0;
	ncap = rl->cap ? rl->cap * 2 : 64;
	if (ncap > (size_t)rl->limit)
		ncap = (size_t)rl->limit;
	if (ncap > ((size_t)-1) / sizeof *n)
		return -1;
	n = malloc(ncap * sizeof *n);
	if (!n)
		return -1;
	for (i = 0; i < rl->count; i++)
		n[i] = rl->ring[(rl->head + i) % rl->cap];
	free(rl->ring);
	rl->ring = n;
	rl->cap = ncap;
	rl->head = 0;
	return 0;
}

static void verdict(const sbx_ratelimit *rl, long long now, sbx_rl_verdict *v)
{
	v->limit = rl->limit;
	v->remaining = rl->limit - (long)rl->count;
	v->reset = 0;
	if (rl->count) {
		long long left = rl->ring[rl->head] + rl->window_ms - now; /* > 0 after expire() */
		v->reset = (long)((left + 999) / 1000);
	}
}

void sbx_ratelimit_take(sbx_ratelimit *rl, sbx_rl_verdict *v)
{
	long long now;

	pthread_mutex_lock(&rl->mu);
	now = rl->clock(rl->clock_arg);
	expire(rl, now);
	v->allowed = (long)rl->count < rl->limit;
	/* Out of memory: let the request through uncounted rather than refuse every request. */
	if (v->allowed && grow(rl) == 0) {
		rl->ring[(rl->head + rl->count) % rl->cap] = now;
		rl->count++;
	}
	verdict(rl, now, v);
	pthread_mutex_unlock(&rl->mu);
}

void sbx_ratelimit_peek(sbx_ratelimit *rl, sbx_rl_verdict *v)
{
	long long now;

	pthread_mutex_lock(&rl->mu);
	now = rl->clock(rl->clock_arg);
	expire(rl, now);
	v->allowed = (long)rl->count < rl->limit;
	verdict(rl, now, v);
	pthread_mutex_unlock(&rl->mu);
}

void sbx_ratelimit_reset(sbx_ratelimit *rl)
{
	pthread_mutex_lock(&rl->mu);
	rl->head = rl->count = 0;
	pthread_mutex_unlock(&rl->mu);
}
